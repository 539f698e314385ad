import { runDomainService } from '@baton/service-kit';
import { tasksService } from './tasks.service-definition';

runDomainService(tasksService, 3101);
