// React hooks and a link component over the tiny router.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { currentLocation, navigate, subscribeLocation } from './router.ts';

/** The current path + query; re-renders on navigation. */
export function useLocation(): string {
  return useSyncExternalStore(subscribeLocation, currentLocation);
}

/** An <a> that navigates inside the app (modifier clicks still open new tabs). */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(href);
  }
  return <a href={href} onClick={handleClick} {...rest} />;
}
