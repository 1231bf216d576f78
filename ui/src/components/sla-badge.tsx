import { formatTimeLeft, slaLabel } from '../format.js';
import type { TicketSlaState } from '../api-types.js';

export function SlaBadge(props: { sla: TicketSlaState | undefined; withTime?: boolean }) {
  const state = props.sla?.state ?? 'none';
  return (
    <span class={`sla sla-${state}`} data-sla={state}>
      {slaLabel(state)}
      {props.withTime === true && props.sla?.msLeft != null && <span class="sla-time"> · {formatTimeLeft(props.sla.msLeft)}</span>}
    </span>
  );
}
