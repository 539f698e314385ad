import type { ProjectStatus } from '../../../api/types';

export function StatusBadge({ status }: { status: ProjectStatus }) {
  return <span className={`badge badge--${status}`}>{status}</span>;
}
