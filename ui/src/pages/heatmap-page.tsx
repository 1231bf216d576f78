import { useState } from 'preact/hooks';
import type { ApiClient } from '../api-client.js';
import type { ReportAnswer } from '../api-types.js';
import { ErrorBox } from '../components/error-box.js';
import { HeatmapChart } from '../components/heatmap-chart.js';
import { useApi } from '../use-api.js';

type GroupBy = '' | 'category' | 'channel' | 'team';
const RANGES = [7, 30, 90] as const;
const ALL = '\u0000all';

/** When breaches happen: GET /v1/reports/sla-breaches, weekday × hour, for everything or one category, channel or team. */
export function HeatmapPage(props: { api: ApiClient; onChangeKey: () => void }) {
  const [groupBy, setGroupBy] = useState<GroupBy>('');
  const [group, setGroup] = useState<string>(ALL);
  const [days, setDays] = useState<number>(30);
  const key = `${groupBy}|${days}`;
  const { state } = useApi(() => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    return props.api.get<ReportAnswer>('/v1/reports/sla-breaches', { from: from.toISOString(), to: to.toISOString(), ...(groupBy === '' ? {} : { groupBy }) });
  }, key);

  return (
    <section>
      <header class="page-head">
        <h1>SLA breaches by weekday and hour</h1>
      </header>
      <form class="controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          Last{' '}
          <select value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))} data-testid="range">
            {RANGES.map((d) => (
              <option value={String(d)}>{d} days</option>
            ))}
          </select>
        </label>
        <label>
          By{' '}
          <select
            value={groupBy}
            data-testid="group-by"
            onChange={(e) => {
              setGroupBy(e.currentTarget.value as GroupBy);
              setGroup(ALL);
            }}
          >
            <option value="">everything</option>
            <option value="category">category</option>
            <option value="channel">channel</option>
            <option value="team">team</option>
          </select>
        </label>
        {groupBy !== '' && state.status === 'ok' && (
          <label>
            {groupBy}{' '}
            <select value={group} onChange={(e) => setGroup(e.currentTarget.value)} data-testid="group">
              <option value={ALL}>all</option>
              {(state.data.heatmap?.groups ?? []).map((g) => (
                <option value={g.group ?? ''}>{g.group ?? '(none)'}</option>
              ))}
            </select>
          </label>
        )}
      </form>
      {state.status === 'loading' && <p class="muted">Loading…</p>}
      {state.status === 'error' && <ErrorBox error={state.error} onChangeKey={props.onChangeKey} />}
      {state.status === 'ok' && <HeatmapView report={state.data} group={group} />}
    </section>
  );
}

function HeatmapView(props: { report: ReportAnswer; group: string }) {
  const map = props.report.heatmap;
  if (map === undefined) return <p class="muted">The server sent no heatmap.</p>;
  const chosen = props.group === ALL ? undefined : map.groups?.find((g) => (g.group ?? '') === props.group);
  const cells = chosen?.cells ?? map.cells;
  const total = cells.flat().reduce((s, v) => s + v, 0);
  const label = chosen === undefined ? 'all tickets' : `${props.report.groupBy ?? ''} ${chosen.group ?? '(none)'}`;
  return (
    <>
      <p class="summary" data-testid="heatmap-summary">
        {total} breach{total === 1 ? '' : 'es'} for {label}, times in {map.timeZone}
      </p>
      <HeatmapChart weekdays={map.weekdays} cells={cells} label={`SLA breaches by weekday and hour for ${label}`} />
      {props.report.groupBy !== null && (
        <table class="grid">
          <thead>
            <tr>
              <th>{props.report.groupBy}</th>
              <th>breaches</th>
              <th>first response</th>
              <th>next response</th>
              <th>resolution</th>
            </tr>
          </thead>
          <tbody>
            {props.report.rows.map((r) => (
              <tr key={String(r.group)}>
                <td>{r.group === null ? '(none)' : String(r.group)}</td>
                <td>{String(r.breaches)}</td>
                <td>{String(r.firstResponse)}</td>
                <td>{String(r.nextResponse)}</td>
                <td>{String(r.resolution)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
