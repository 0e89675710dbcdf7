// アドレス帳から選ぶ: a combobox over the organisation's address book for a recipient of a new envelope.
// A contact with a registered signer fills that signer and marks 登録済みアクセスコード (the code the
// counterparty chose, which the sender neither sets nor sees); any other contact fills its person.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { apiGet } from '../api/client.ts';
import type { Contact, ContactPage } from '../api/address-book-types.ts';
import { useI18n } from '../i18n/i18n-context.tsx';
import './address-book.css';

/** What choosing a contact puts into the recipient. */
export interface PickedContact {
  name: string;
  email: string;
  /** Set only for a registered signer: the recipient then uses the registered code. */
  contactId: string | null;
  language: 'ja' | 'en' | null;
}

/** The recipient a contact gives. */
export function pickedFrom(contact: Contact): PickedContact {
  const signer = contact.registeredSigner;
  return signer
    ? { name: signer.name, email: signer.email, contactId: contact.id, language: signer.language }
    : { name: contact.personName, email: contact.email, contactId: null, language: null };
}

/** The combobox; `label` names the recipient it fills. */
export function ContactPicker({
  label,
  disabled,
  onPick,
}: {
  label: string;
  disabled: boolean;
  onPick: (picked: PickedContact, contact: Contact) => void;
}) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<Contact[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const id = useId();
  const listId = `${id}-list`;
  const blurTimer = useRef<number | undefined>(undefined);

  useEffect(() => {
    const q = query.trim();
    if (q === '') {
      setItems([]);
      return;
    }
    let canceled = false;
    // A short pause while typing: one request per pause, not per key.
    const timer = window.setTimeout(() => {
      apiGet<ContactPage>(`/api/v1/address-book/contacts?limit=8&q=${encodeURIComponent(q)}`)
        .then((page) => {
          if (canceled) return;
          setItems(page.items);
          setActive(page.items.length > 0 ? 0 : -1);
        })
        .catch(() => !canceled && setItems([]));
    }, 150);
    return () => {
      canceled = true;
      window.clearTimeout(timer);
    };
  }, [query]);
  useEffect(() => () => window.clearTimeout(blurTimer.current), []);

  function choose(contact: Contact) {
    onPick(pickedFrom(contact), contact);
    setQuery('');
    setItems([]);
    setOpen(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (items.length > 0)
        setActive((i) => (event.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length));
    } else if (event.key === 'Enter' && open && items[active]) {
      event.preventDefault();
      choose(items[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  }

  const showList = open && query.trim() !== '';
  return (
    <div className="contact-picker">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <input
        id={id}
        className="input"
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList && items[active] ? `${listId}-${active}` : undefined}
        placeholder={t('picker.placeholder')}
        value={query}
        disabled={disabled}
        onChange={(event) => {
          setQuery(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        // Leave time for a click on an option before the list closes.
        onBlur={() => (blurTimer.current = window.setTimeout(() => setOpen(false), 150))}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" className="contact-picker__list" hidden={!showList} aria-label={label}>
        {items.length === 0 ? (
          <li className="contact-picker__empty">{t('picker.none')}</li>
        ) : (
          items.map((c, index) => (
            <li
              key={c.id}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className="contact-picker__option"
              onMouseDown={(event) => event.preventDefault()}
              onClick={() => choose(c)}
            >
              <span className="contact-picker__company">
                {c.companyName}
                {c.department ? ` ${c.department}` : ''}
              </span>
              <span className="contact-picker__person">
                {c.registeredSigner
                  ? `${c.registeredSigner.name} <${c.registeredSigner.email}>`
                  : `${c.personName} <${c.email}>`}
              </span>
              {c.registeredSigner ? (
                <span className="badge badge--completed">{t('picker.registered')}</span>
              ) : (
                <span className="badge badge--draft">{t('picker.notRegistered')}</span>
              )}
            </li>
          ))
        )}
      </ul>
    </div>
  );
}

/** Shown instead of the access code field for a recipient with the contact's registered code. */
export function RegisteredCodeNote({ onClear, disabled }: { onClear: () => void; disabled: boolean }) {
  const { t } = useI18n();
  return (
    <div className="registered-code" role="note">
      <span className="badge badge--completed">{t('picker.registeredCode')}</span>
      <p className="field__hint">{t('picker.registeredCodeHint')}</p>
      <button type="button" className="btn btn--ghost btn--small" onClick={onClear} disabled={disabled}>
        {t('picker.clear')}
      </button>
    </div>
  );
}
