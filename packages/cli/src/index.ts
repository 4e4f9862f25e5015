export { checkHealth, readServerInfo } from './server-info.js';
export { BackendSupervisor, type SupervisorOptions } from './supervisor.js';
