// The sender's message to the recipients, set off from the facts around it.
import { createElement } from 'react';

/** A titled box with the message text; `heading` fits the outline of the page it is on. */
export function MessageBox({ title, text, heading }: { title: string; text: string; heading: 'h2' | 'h3' }) {
  return (
    <div className="message-box">
      {createElement(heading, { className: 'message-box__title' }, title)}
      <p className="message-box__text">{text}</p>
    </div>
  );
}
