import { randomBytes } from 'node:crypto';
import { InvalidArgumentError, type Command } from 'commander';
import type { ChannelView, CommandAccepted, DeliveryView } from '@baton/contracts';
import { CHANNEL_FORMATS, NOTIFICATION_KINDS, webhookUrlProblem } from '@baton/events';
import { seg } from '../api-client';
import { emit, type Ctx } from '../context';
import { choice, collect, nonNegativeInt, parseId, positiveInt, withJson, withMinSeq } from '../options';
import { formatTable } from '../output';
import { writtenBy, type JsonOpt } from './shared';

const channelPath = (id: string) => `/api/notifications/channels/${seg(id)}`;
const KINDS: readonly string[] = NOTIFICATION_KINDS;

function parseUrl(v: string): string {
  const problem = webhookUrlProblem(v);
  if (problem) throw new InvalidArgumentError(problem);
  return v;
}

function parseSecret(v: string): string {
  if (v.length < 16 || v.length > 200) throw new InvalidArgumentError('must be 16-200 characters');
  return v;
}

/** `--event needs_input --event failed` or `--event needs_input,failed`. */
function parseKinds(v: string, prev: string[] = []): string[] {
  const kinds = v.split(',').map((k) => k.trim()).filter(Boolean);
  for (const k of kinds) if (!KINDS.includes(k)) throw new InvalidArgumentError(`"${k}" is not one of ${KINDS.join(', ')}`);
  return [...new Set([...prev, ...kinds])];
}

interface RuleOpts {
  event: string[];
  project?: string[];
}

const rulesOf = (o: RuleOpts) => ({ kinds: o.event, projectIds: o.project ?? [] });

/**
 * `baton notify …`: webhooks (generic JSON, Slack-compatible, ntfy) for what needs a person,
 * their rules, the delivery log and a test (docs/decisions/0027).
 */
export function registerNotifyCommands(program: Command, ctx: Ctx): void {
  const written = writtenBy(ctx);
  const notify = program.command('notify').description('notification channels (webhooks), their rules and deliveries');
  const channel = notify.command('channel').description('webhook channels: add, list, remove');

  withJson(
    channel
      .command('add')
      .description('add a webhook channel; a delivery is a signed POST (X-Baton-Signature) named by X-Baton-Delivery')
      .requiredOption('--name <name>', 'what to call it')
      .requiredOption('--url <url>', 'where to POST (http or https)', parseUrl)
      .addOption(choice('--format <format>', 'json, slack (Slack-compatible {text, blocks}) or ntfy', CHANNEL_FORMATS).default('json'))
      .requiredOption('--event <kinds>', `what to send, repeatable or comma-separated: ${KINDS.join(', ')}`, parseKinds)
      .option('--project <id>', "a project's channel (needs operator there); default: yours, across your projects", parseId)
      .option('--only-project <id>', "your channel: only this project (repeatable)", (v: string, prev: string[] = []) => collect(parseId(v), prev))
      .option('--secret <secret>', 'the HMAC key (16+ characters); default: a new random one, printed once', parseSecret)
      .option('--idempotency-key <key>', 'resend-safe key'),
  ).action(async (o: { name: string; url: string; format: string; event: string[]; project?: string; onlyProject?: string[]; secret?: string; idempotencyKey?: string } & JsonOpt) => {
    const secret = o.secret ?? randomBytes(24).toString('hex');
    const body = { name: o.name, url: o.url, format: o.format, secret, projectId: o.project ?? null, rules: rulesOf({ event: o.event, project: o.onlyProject }) };
    const res = await ctx.api().post<CommandAccepted>('/api/notifications/channels', body, { headers: o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {} });
    // The secret is write-only: shown here once when Baton made it, never again.
    emit(ctx, o.json, o.secret ? res : { ...res, secret }, () => `channel ${res.id} added${o.secret ? '' : `\nsigning secret (shown once): ${secret}`}\n`);
  });

  withMinSeq(withJson(channel.command('list').description('your channels (URL and secret redacted)').option('--all', "every user's (admins)"))).action(async (o: { all?: boolean; minSeq?: number } & JsonOpt) => {
    const rows = await ctx.api().get<ChannelView[]>('/api/notifications/channels', { minSeq: o.minSeq, all: o.all ? 'true' : undefined });
    emit(ctx, o.json, rows, () =>
      rows.length ? formatTable(rows.map((c) => ({ ...c, project: c.projectId ?? '(yours)', events: c.rules.kinds.join(',') })), ['id', 'name', 'format', 'url', 'project', 'events']) : 'no channels\n',
    );
  });

  withJson(channel.command('remove').description('remove a channel').argument('<id>', 'channel id', parseId).option('--min-seq <seq>', 'find a channel just made', nonNegativeInt)).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      written(o, await ctx.api().delete<CommandAccepted>(channelPath(id), { query: { minSeq: o.minSeq } }), `channel ${id} removed`);
    },
  );

  const rule = notify.command('rule').description("a channel's rules: which events, which projects");
  withJson(
    rule
      .command('set')
      .description("replace a channel's rules")
      .argument('<channel>', 'channel id', parseId)
      .requiredOption('--event <kinds>', `repeatable or comma-separated: ${KINDS.join(', ')}`, parseKinds)
      .option('--only-project <id>', "a user's channel: only this project (repeatable)", (v: string, prev: string[] = []) => collect(parseId(v), prev))
      .option('--min-seq <seq>', 'find a channel just made', nonNegativeInt),
  ).action(async (id: string, o: { event: string[]; onlyProject?: string[]; minSeq?: number } & JsonOpt) => {
    const res = await ctx.api().patch<CommandAccepted>(`${channelPath(id)}/rules`, { rules: rulesOf({ event: o.event, project: o.onlyProject }) }, { query: { minSeq: o.minSeq } });
    written(o, res, res.events.length ? `channel ${id} now sends ${o.event.join(', ')}` : `channel ${id} already sent ${o.event.join(', ')}`);
  });

  withJson(notify.command('test').description('send a test notification to a channel').argument('<channel>', 'channel id', parseId).option('--min-seq <seq>', 'find a channel just made', nonNegativeInt)).action(
    async (id: string, o: { minSeq?: number } & JsonOpt) => {
      written(o, await ctx.api().post<CommandAccepted>(`${channelPath(id)}/test`, {}, { query: { minSeq: o.minSeq } }), `test sent to channel ${id}: see \`baton notify deliveries --channel ${id}\``);
    },
  );

  withMinSeq(
    withJson(
      notify
        .command('deliveries')
        .description('the delivery log, newest first: status, tries, response code, last error')
        .option('--channel <id>', 'one channel only', parseId)
        .addOption(choice('--status <status>', 'pending, delivered or failed', ['pending', 'delivered', 'failed']))
        .option('--limit <n>', 'at most this many (1-500)', (v: string) => {
          const n = positiveInt(v);
          if (n > 500) throw new InvalidArgumentError('must be at most 500');
          return n;
        }),
    ),
  ).action(async (o: { channel?: string; status?: string; limit?: number; minSeq?: number } & JsonOpt) => {
    const rows = await ctx.api().get<DeliveryView[]>('/api/notifications/deliveries', { channelId: o.channel, status: o.status, limit: o.limit, minSeq: o.minSeq });
    emit(ctx, o.json, rows, () =>
      rows.length ? formatTable(rows.map((d) => ({ ...d, code: d.responseCode ?? '', error: d.lastError ?? '' })), ['id', 'channelId', 'kind', 'status', 'attempts', 'code', 'createdAt', 'error']) : 'no deliveries\n',
    );
  });
}
