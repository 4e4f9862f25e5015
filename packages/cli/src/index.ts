export { BACKEND_NODE_FLAGS } from './backend-flags.js';
export { checkHealth, readServerInfo } from './server-info.js';
export { BackendSupervisor, type SupervisorOptions } from './supervisor.js';
