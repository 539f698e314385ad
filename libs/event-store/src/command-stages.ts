/**
 * Where a command's time goes (docs/decisions/0026), each stage timed where it happens:
 * - gateway (CommandBus): `publish` (the command stored in the commands stream),
 *   `wait` (stored → reply received);
 * - processor: `delivery` (stored → handling starts: delivery and the wait for a slot),
 *   `check` (recorded result looked up), `load`, `decide`, `append`, `reply` (reply sent),
 *   `record` (result recorded), `total` (handling start → acked).
 */
export type CommandStage = 'publish' | 'wait' | 'delivery' | 'check' | 'load' | 'decide' | 'append' | 'reply' | 'record' | 'total';

/** Observes one stage's duration (metrics); never changes what the command does. */
export type CommandStageObserver = (stage: CommandStage, ms: number) => void;
