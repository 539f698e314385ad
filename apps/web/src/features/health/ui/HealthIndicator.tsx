import { formatDateTime } from '../../../shared/lib/time';
import { healthLabel } from '../model/health';
import { useHealth } from '../model/use-health';

/** The top bar's pill: is the gateway there, and are its dependencies. */
export function HealthIndicator() {
  const { data } = useHealth();
  const checks = Object.entries(data.checks);
  const title = [
    `Gateway: ${healthLabel(data.status).toLowerCase()}`,
    data.reason,
    ...checks.map(([name, ok]) => `${name}: ${ok ? 'ok' : 'not ready'}`),
    data.checkedAt ? `checked ${formatDateTime(new Date(data.checkedAt).toISOString())}` : null,
  ]
    .filter(Boolean)
    .join('\n');
  return (
    <div className={`health health--${data.status}`} title={title} role="status" aria-live="polite" data-testid="health">
      <span className="health__dot" aria-hidden="true" />
      <span className="health__label">{healthLabel(data.status)}</span>
      {data.status !== 'connected' && data.status !== 'connecting' && data.reason && <span className="health__reason">· {data.reason}</span>}
    </div>
  );
}
