export {
  descendantsOf,
  isAlive,
  listProcesses,
  type ProcessInfo,
  processGroupMembers,
} from './process-table.js';
export { waitUntil } from './wait-until.js';
