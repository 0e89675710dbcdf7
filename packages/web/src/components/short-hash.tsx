/** The first characters of a SHA-256 (hex); the whole in the tooltip and for copying. */
export function ShortHash({ value }: { value: string | null }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="hash" title={value}>
      {value.slice(0, 16)}…
    </code>
  );
}
