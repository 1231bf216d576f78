import { gridMax, heatColor } from '../heat-scale.js';

const CELL = 26;
const LEFT = 44;
const TOP = 22;

/** Weekday × hour grid as SVG: one square per hour, darker = more breaches; a title on each square for the exact count. */
export function HeatmapChart(props: { weekdays: string[]; cells: number[][]; label: string }) {
  const max = gridMax(props.cells);
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return (
    <svg class="heatmap" role="img" aria-label={props.label} viewBox={`0 0 ${LEFT + 24 * CELL + 4} ${TOP + props.weekdays.length * CELL + 4}`} data-testid="heatmap">
      {hours.map((h) =>
        h % 3 === 0 ? (
          <text x={LEFT + h * CELL + CELL / 2} y={TOP - 8} text-anchor="middle" class="axis">
            {String(h).padStart(2, '0')}
          </text>
        ) : null,
      )}
      {props.weekdays.map((day, d) => (
        <g key={day}>
          <text x={LEFT - 8} y={TOP + d * CELL + CELL / 2 + 4} text-anchor="end" class="axis">
            {day}
          </text>
          {hours.map((h) => {
            const v = props.cells[d]?.[h] ?? 0;
            return (
              <g key={h}>
                <rect x={LEFT + h * CELL} y={TOP + d * CELL} width={CELL - 2} height={CELL - 2} rx={3} fill={heatColor(v, max)} data-count={v}>
                  <title>{`${day} ${String(h).padStart(2, '0')}:00–${String(h).padStart(2, '0')}:59: ${v} breach${v === 1 ? '' : 'es'}`}</title>
                </rect>
                {v > 0 && (
                  <text x={LEFT + h * CELL + (CELL - 2) / 2} y={TOP + d * CELL + CELL / 2 + 3} text-anchor="middle" class={v / max > 0.5 ? 'cell-text dark' : 'cell-text'}>
                    {v}
                  </text>
                )}
              </g>
            );
          })}
        </g>
      ))}
    </svg>
  );
}
