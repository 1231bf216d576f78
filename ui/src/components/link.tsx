import type { ComponentChildren } from 'preact';
import { navigate } from '../navigation.js';
import { hrefOf, type Route } from '../routes.js';

/** An ordinary link (middle-click, copy address work) that moves without a reload on a plain click. */
export function Link(props: { to: Route; children: ComponentChildren; class?: string; testId?: string }) {
  const href = hrefOf(props.to);
  return (
    <a
      href={href}
      class={props.class}
      data-testid={props.testId}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {props.children}
    </a>
  );
}
