import { Controller, Inject } from '@nestjs/common';
import { ulid } from 'ulid';
import { ChangeNotificationRules, DefineNotificationChannel, RemoveNotificationChannel, TestNotificationChannel, type Actor } from '@baton/events';
import { QueryClient, QueryError } from '@baton/event-store';
import type { ChannelView, CommandAccepted, DeliveryView } from '@baton/contracts';
import { CurrentActor, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { CommandSender, newId } from '../openapi/edge';
import type { BodyOf, ParamsOf, QueryOf } from '../openapi/route';
import { IdemKey, Route, RouteBody, RouteParams, RouteQuery } from '../openapi/route.decorators';
import { NotificationRoutes as R } from '../openapi/routes/notifications.routes';

const notFound = (id: string) => new ApiError(404, 'not_found', `notification channel ${id} does not exist, or is not yours`, { details: { channelId: id } });

/**
 * Notification channels and their delivery log (docs/decisions/0027). A channel is its owner's
 * (admins reach all): someone else's answers the 404 of one that does not exist. A project's
 * channel needs the operator role there (the project scope guard checks the body's projectId).
 */
@Controller()
export class NotificationsController {
  constructor(
    @Inject(CommandSender) private readonly commands: CommandSender,
    @Inject(QueryClient) private readonly queries: QueryClient,
  ) {}

  @Route(R.listNotificationChannels)
  list(@RouteQuery(R.listNotificationChannels) q: QueryOf<typeof R.listNotificationChannels>, @CurrentPrincipal() me: Principal): Promise<ChannelView[]> {
    const everyone = q.all === 'true' && me.role === 'admin';
    return this.queries.ask('tasks', 'list_notification_channels', everyone ? {} : { ownerId: me.userId }, { minSeq: q.minSeq });
  }

  @Route(R.createNotificationChannel)
  create(@RouteBody(R.createNotificationChannel) body: BodyOf<typeof R.createNotificationChannel>, @CurrentActor() actor: Actor, @CurrentPrincipal() me: Principal, @IdemKey() key?: string): Promise<CommandAccepted> {
    const channelId = newId({ actor, key }, 'notification-channel');
    return this.commands.send(DefineNotificationChannel, { channelId, ownerId: me.userId, ...body }, { actor, key }, channelId);
  }

  @Route(R.getNotificationChannel)
  get(@RouteParams(R.getNotificationChannel) p: ParamsOf<typeof R.getNotificationChannel>, @RouteQuery(R.getNotificationChannel) q: QueryOf<typeof R.getNotificationChannel>, @CurrentPrincipal() me: Principal): Promise<ChannelView> {
    return this.owned(p.id, me, q.minSeq);
  }

  @Route(R.changeNotificationRules)
  async changeRules(
    @RouteParams(R.changeNotificationRules) p: ParamsOf<typeof R.changeNotificationRules>,
    @RouteQuery(R.changeNotificationRules) q: QueryOf<typeof R.changeNotificationRules>,
    @RouteBody(R.changeNotificationRules) body: BodyOf<typeof R.changeNotificationRules>,
    @CurrentActor() actor: Actor,
    @CurrentPrincipal() me: Principal,
    @IdemKey() key?: string,
  ): Promise<CommandAccepted> {
    await this.owned(p.id, me, q.minSeq);
    return this.commands.send(ChangeNotificationRules, { channelId: p.id, rules: body.rules }, { actor, key }, p.id);
  }

  @Route(R.removeNotificationChannel)
  async remove(
    @RouteParams(R.removeNotificationChannel) p: ParamsOf<typeof R.removeNotificationChannel>,
    @RouteQuery(R.removeNotificationChannel) q: QueryOf<typeof R.removeNotificationChannel>,
    @CurrentActor() actor: Actor, @CurrentPrincipal() me: Principal, @IdemKey() key?: string): Promise<CommandAccepted> {
    await this.owned(p.id, me, q.minSeq);
    return this.commands.send(RemoveNotificationChannel, { channelId: p.id }, { actor, key }, p.id);
  }

  @Route(R.testNotificationChannel)
  async test(
    @RouteParams(R.testNotificationChannel) p: ParamsOf<typeof R.testNotificationChannel>,
    @RouteQuery(R.testNotificationChannel) q: QueryOf<typeof R.testNotificationChannel>,
    @CurrentActor() actor: Actor, @CurrentPrincipal() me: Principal, @IdemKey() key?: string): Promise<CommandAccepted> {
    await this.owned(p.id, me, q.minSeq);
    // Each press is a new test; a resent request (same key) is the same one.
    const testId = key === undefined ? ulid() : newId({ actor, key }, `notification-test:${p.id}`);
    return this.commands.send(TestNotificationChannel, { channelId: p.id, testId }, { actor, key }, testId);
  }

  @Route(R.listNotificationDeliveries)
  deliveries(@RouteQuery(R.listNotificationDeliveries) q: QueryOf<typeof R.listNotificationDeliveries>, @CurrentPrincipal() me: Principal): Promise<DeliveryView[]> {
    const { minSeq, ...filter } = q;
    return this.queries.ask('tasks', 'list_notification_deliveries', { ...filter, ...(me.role === 'admin' ? {} : { ownerId: me.userId }) }, { minSeq });
  }

  /** The channel if the caller may reach it; else the same 404 as a channel that does not exist. */
  private async owned(id: string, me: Principal, minSeq?: number): Promise<ChannelView> {
    try {
      const channel = await this.queries.ask<ChannelView>('tasks', 'get_notification_channel', { id }, { minSeq });
      if (channel.ownerId !== me.userId && me.role !== 'admin') throw notFound(id);
      return channel;
    } catch (e) {
      if (e instanceof QueryError && e.code === 'not_found') throw notFound(id);
      throw e;
    }
  }
}
