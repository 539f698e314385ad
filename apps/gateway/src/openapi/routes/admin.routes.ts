import { ReadModelList, ReadModelParams, ReadModelProgress, RebuildRequest, RebuildResult, StreamsReport, VerifyReport, VerifyRequest } from '@baton/contracts';
import { route } from '../route';

const tag = 'admin';
const role = 'admin';

/** Operating an installation: read models (rebuild, verify against the log) and the streams behind them. Admins only. */
export const AdminRoutes = {
  adminStreams: route({
    tag,
    role,
    operationId: 'adminStreams',
    method: 'get',
    path: '/api/admin/streams',
    summary: 'Streams (messages, bytes, replicas), consumers with their lag, and projection checkpoints against the log',
    status: 200,
    response: StreamsReport,
    queries: ['admin_checkpoints'],
  }),
  adminReadModels: route({
    tag,
    role,
    operationId: 'adminReadModels',
    method: 'get',
    path: '/api/admin/read-models',
    summary: 'Every read model of every service: version, checkpoint, lag, rows',
    status: 200,
    response: ReadModelList,
    queries: ['admin_checkpoints'],
  }),
  adminReadModel: route({
    tag,
    role,
    operationId: 'adminReadModel',
    method: 'get',
    path: '/api/admin/read-models/:service/:name',
    summary: 'One read model: how far it is (follow a rebuild with this)',
    params: ReadModelParams,
    status: 200,
    response: ReadModelProgress,
    errors: [503],
    queries: ['admin_checkpoints'],
  }),
  rebuildReadModel: route({
    tag,
    role,
    operationId: 'rebuildReadModel',
    method: 'post',
    path: '/api/admin/read-models/:service/:name/rebuild',
    summary: 'Rebuild a read model: drop its rows, reset its checkpoint, replay the log from sequence 1',
    description:
      'Runs on the replica that leads the projection (any replica forwards it there). Answers `caught_up` once the checkpoint reaches the log as it was when the rebuild started, or `rebuilding` when `waitMs` runs out first. Reads of that read model wait or see partial data while it replays.',
    params: ReadModelParams,
    body: RebuildRequest,
    status: 200,
    response: RebuildResult,
    errors: [503],
    queries: ['admin_rebuild'],
  }),
  verifyReadModels: route({
    tag,
    role,
    operationId: 'verifyReadModels',
    method: 'post',
    path: '/api/admin/verify',
    summary: 'Rebuild every read model from the log into a scratch schema and compare it row by row with the live one',
    description:
      'Per service: the live rows are read in one snapshot and each scratch copy is folded up to that snapshot\'s checkpoint, so it can run under load. Reports counts and the first differing ids; the scratch schema is dropped. Changes nothing.',
    body: VerifyRequest,
    status: 200,
    response: VerifyReport,
    queries: ['admin_verify'],
  }),
};
