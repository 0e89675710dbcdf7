// The register entry's form: its fields as typed, checked with the shared parsers, and the PATCH
// that holds only what changed. Accepting a suggestion fills the form; only 保存 saves.
import { checkDateOrder, parseJapaneseDate, parseYenAmount } from '@inkan/core/text/ja-values';
import type {
  ContractEntry,
  ContractFieldDefinition,
  ContractPatch,
  FieldSuggestion,
  TaxTreatment,
} from '../api/register-types.ts';
import { translate, type Language } from '../i18n/translate.ts';

/** The form as typed. */
export interface ContractForm {
  title: string;
  counterparties: string;
  startOn: string;
  endOn: string;
  noticeOn: string;
  amount: string;
  tax: '' | TaxTreatment;
  autoRenew: boolean;
  renewalMonths: string;
  contractType: string;
  referenceNumber: string;
  memo: string;
  tags: string;
  /** 担当者: a member's user id, or '' for none. */
  owner: string;
  /** Organisation-defined fields by key, as typed. */
  custom: Record<string, string>;
}

/** An organisation-defined field (GET /api/v1/contracts/fields). */
export type CustomField = ContractFieldDefinition;

const yen = new Intl.NumberFormat('ja-JP');

/** The form filled from an entry. */
export function formFromEntry(entry: ContractEntry): ContractForm {
  return {
    title: entry.title,
    counterparties: entry.counterparties.join('\n'),
    startOn: entry.startOn ?? '',
    endOn: entry.endOn ?? '',
    noticeOn: entry.noticeOn ?? '',
    amount: entry.amount === null ? '' : yen.format(entry.amount),
    tax: entry.tax ?? '',
    autoRenew: entry.autoRenew,
    renewalMonths: entry.renewalMonths === null ? '' : String(entry.renewalMonths),
    contractType: entry.contractType ?? '',
    referenceNumber: entry.referenceNumber ?? '',
    memo: entry.memo,
    tags: entry.tags.join(', '),
    owner: entry.owner ?? '',
    custom: Object.fromEntries(Object.entries(entry.fields).map(([key, value]) => [key, String(value)])),
  };
}

/** The form with one suggestion accepted (nothing is saved yet). */
export function applySuggestion(form: ContractForm, suggestion: FieldSuggestion): ContractForm {
  switch (suggestion.field) {
    case 'amount':
      return { ...form, amount: yen.format(suggestion.value.yen), tax: suggestion.value.tax ?? form.tax };
    case 'startDate':
      return { ...form, startOn: suggestion.value };
    case 'endDate':
      return { ...form, endOn: suggestion.value };
    case 'autoRenewal':
      return {
        ...form,
        autoRenew: true,
        renewalMonths:
          suggestion.value.periodMonths === null ? form.renewalMonths : String(suggestion.value.periodMonths),
      };
    case 'noticeDeadline':
      return suggestion.value.date ? { ...form, noticeOn: suggestion.value.date } : form;
    case 'parties': {
      const names = [suggestion.value.kou, suggestion.value.otsu].filter((name): name is string => Boolean(name));
      return { ...form, counterparties: names.join('\n') };
    }
  }
}

export type FormErrors = Partial<Record<keyof ContractForm | `custom.${string}`, string>>;

const splitList = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** Checks the form; returns the PATCH of what changed against `entry`, or a message per field. */
export function checkContractForm(
  form: ContractForm,
  entry: ContractEntry,
  language: Language,
  customFields: CustomField[] = [],
): { ok: true; patch: ContractPatch } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const date = (key: 'startOn' | 'endOn' | 'noticeOn'): string | null => {
    if (form[key].trim() === '') return null;
    const parsed = parseJapaneseDate(form[key]);
    if (parsed.ok) return parsed.value;
    errors[key] = parsed.message[language];
    return null;
  };
  const startOn = date('startOn');
  const endOn = date('endOn');
  const noticeOn = date('noticeOn');
  const order = checkDateOrder(startOn, endOn);
  if (!order.ok && !errors.endOn) errors.endOn = order.message[language];
  let amount: number | null = null;
  if (form.amount.trim() !== '') {
    const parsed = parseYenAmount(form.amount);
    if (parsed.ok) amount = parsed.value;
    else errors.amount = parsed.message[language];
  }
  let renewalMonths: number | null = null;
  if (form.renewalMonths.trim() !== '') {
    const parsed = parseYenAmount(form.renewalMonths);
    if (parsed.ok && parsed.value >= 1 && parsed.value <= 120) renewalMonths = parsed.value;
    else errors.renewalMonths = translate(language, 'reg.form.renewalMonthsInvalid');
  }
  const fields: Record<string, string | null> = {};
  for (const field of customFields) {
    const raw = (form.custom[field.key] ?? '').trim();
    let value: string | null = raw === '' ? null : raw;
    if (value !== null && field.type === 'number') {
      const parsed = parseYenAmount(value);
      if (parsed.ok) value = String(parsed.value);
      else errors[`custom.${field.key}`] = parsed.message[language];
    }
    if (value !== null && field.type === 'date') {
      const parsed = parseJapaneseDate(value);
      if (parsed.ok) value = parsed.value;
      else errors[`custom.${field.key}`] = parsed.message[language];
    }
    // A number field's value comes back as a number: compare as text, or an untouched field would count as changed.
    const saved = entry.fields[field.key];
    if (value !== (saved === undefined ? null : String(saved))) fields[field.key] = value;
  }
  const title = form.title.trim();
  if (title === '') errors.title = translate(language, 'reg.form.titleRequired');
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const next: Required<
    Pick<
      ContractPatch,
      | 'title'
      | 'counterparties'
      | 'startOn'
      | 'endOn'
      | 'noticeOn'
      | 'amount'
      | 'tax'
      | 'autoRenew'
      | 'renewalMonths'
      | 'contractType'
      | 'referenceNumber'
      | 'memo'
      | 'tags'
      | 'owner'
    >
  > = {
    title,
    counterparties: splitList(form.counterparties, /\n/u),
    startOn,
    endOn,
    noticeOn,
    amount,
    tax: form.tax === '' ? null : form.tax,
    autoRenew: form.autoRenew,
    renewalMonths: form.autoRenew ? renewalMonths : null,
    contractType: form.contractType.trim() || null,
    referenceNumber: form.referenceNumber.trim() || null,
    memo: form.memo,
    tags: splitList(form.tags, /[,、，]/u),
    owner: form.owner || null,
  };
  const patch: ContractPatch = {};
  for (const key of Object.keys(next) as (keyof typeof next)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(entry[key])) (patch as Record<string, unknown>)[key] = next[key];
  }
  if (Object.keys(fields).length > 0) patch.fields = fields;
  return { ok: true, patch };
}
