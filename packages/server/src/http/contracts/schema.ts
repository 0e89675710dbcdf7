import * as z from 'zod';
import type { ContractChanges } from '../../domain/register/contract-api-types.ts';
import { CONTRACT_STATUSES } from '../../domain/register/contract-model.ts';

const dateValue = z.string().max(40).nullable();
const shortText = z.string().max(300);

/** PATCH /api/v1/contracts/{id}: every field optional; null clears; amounts and dates as text or number (parsed by the domain). */
export const contractChangesSchema = z
  .object({
    title: shortText,
    counterparties: z.array(shortText).max(20),
    signedOn: dateValue,
    startOn: dateValue,
    endOn: dateValue,
    noticeOn: dateValue,
    amount: z.union([z.string().max(60), z.number()]).nullable(),
    currency: z.string().max(3),
    tax: z.enum(['included', 'excluded']).nullable(),
    autoRenew: z.boolean(),
    renewalMonths: z.number().int().nullable(),
    contractType: z.string().max(300).nullable(),
    referenceNumber: z.string().max(300).nullable(),
    owner: z.string().max(100).nullable(),
    memo: z.string().max(10_000),
    status: z.enum(CONTRACT_STATUSES),
    tags: z.array(z.string().max(100)).max(30),
    watchers: z.array(z.string().max(100)).max(50),
    fields: z.record(
      z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
      z.union([z.string().max(10_000), z.number()]).nullable(),
    ),
  })
  .partial()
  .strict();

/** Compiles only when the schema and the shared API type (what the web UI sends) describe the same body. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type ContractChangesSchemaMatchesApiType =
  Same<z.input<typeof contractChangesSchema>, ContractChanges> extends true ? true : never;
const contractChangesMatch: ContractChangesSchemaMatchesApiType = true;
void contractChangesMatch;

/** The `contract` JSON part of POST /api/v1/contracts/import: PATCH's fields, a title required. */
export const importContractSchema = contractChangesSchema.extend({ title: shortText.min(1) }).strict();

export const contractParams = z.object({ id: z.uuid() });
export const contractDocumentParams = z.object({ id: z.uuid(), documentId: z.uuid() });

/** POST /api/v1/contracts/fields: a custom field of the organisation's register. */
export const fieldDefinitionSchema = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, 'lower-case letters, digits and _ (starting with a letter), at most 40'),
    label: z.string().min(1).max(100),
    type: z.enum(['text', 'number', 'date', 'choice']),
    choices: z.array(z.string().min(1).max(100)).max(100).optional(),
  })
  .strict();

/** PUT /api/v1/contracts/settings: reminder thresholds in days before a deadline. */
export const registerSettingsSchema = z
  .object({ reminderDays: z.array(z.number().int().min(1).max(365)).min(0).max(5) })
  .strict();
