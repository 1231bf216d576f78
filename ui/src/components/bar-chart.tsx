export interface Bar {
  label: string;
  value: number;
  /** Shown after the value, e.g. "of 40 evaluated". */
  note?: string;
}

const ROW = 24;
const LABEL = 220;
const WIDTH = 420;

/** Horizontal bars as SVG, longest = full width; labels left, values right. */
export function BarChart(props: { bars: Bar[]; label: string }) {
  const max = Math.max(1, ...props.bars.map((b) => b.value));
  const height = Math.max(ROW, props.bars.length * ROW);
  return (
    <svg class="bars" role="img" aria-label={props.label} viewBox={`0 0 ${LABEL + WIDTH + 160} ${height}`} data-testid="bar-chart">
      {props.bars.map((b, i) => (
        <g key={b.label}>
          <text x={LABEL - 8} y={i * ROW + 16} text-anchor="end" class="axis">
            {b.label}
          </text>
          <rect x={LABEL} y={i * ROW + 4} width={Math.max(b.value > 0 ? 2 : 0, (b.value / max) * WIDTH)} height={ROW - 8} rx={2} class="bar" />
          <text x={LABEL + (b.value / max) * WIDTH + 6} y={i * ROW + 16} class="value">
            {b.value}
            {b.note === undefined ? '' : ` ${b.note}`}
          </text>
        </g>
      ))}
    </svg>
  );
}
