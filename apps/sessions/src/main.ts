import { runDomainService } from '@baton/service-kit';
import { sessionsService } from './sessions.service-definition';

runDomainService(sessionsService, 3102);
