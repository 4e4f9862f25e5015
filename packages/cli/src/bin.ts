#!/usr/bin/env node
import { APP_VERSION } from '@chatml/protocol';
import { Command, Option } from 'commander';
import { doctor } from './commands/doctor.js';
import { serve } from './commands/serve.js';
import { start } from './commands/start.js';
import { status, stop } from './commands/status.js';

const program = new Command()
  .name('chatml')
  .description('Run many Claude coding agents in parallel on one repository, each in its own git worktree.')
  .version(APP_VERSION)
  .showHelpAfterError();

const homeOption = () =>
  new Option('--home <dir>', 'data directory (default: $CHATML_HOME or the OS user data dir)');

program
  .command('start', { isDefault: true })
  .description('start the app (backend + UI window); reuses a running one')
  .addOption(homeOption())
  .option('--port <port>', 'port to listen on (default: a stable port for this data dir)')
  .option('--no-open', 'do not open a browser window; print the URL instead')
  .option('--demo-model', 'use the offline demo model instead of Claude (scripted replies)')
  .action(start);

program
  .command('serve')
  .description('run the backend in the foreground (for scripts and tests); prints one JSON ready line')
  .addOption(homeOption())
  .option('--port <port>', 'port to listen on; 0 picks a free one', '0')
  .option('--demo-model', 'use the offline demo model instead of Claude (scripted replies)')
  .option('--supervised', 'exit when stdin closes (used by `chatml start`)')
  .option('--prefer-port', 'use a free port when --port is taken')
  .addOption(
    new Option('--log-level <level>', 'log level')
      .choices(['debug', 'info', 'warn', 'error'])
      .default('info'),
  )
  .action(serve);

program
  .command('status')
  .description('show whether ChatML is running')
  .addOption(homeOption())
  .option('--json', 'JSON output')
  .action(status);
program.command('stop').description('stop the running ChatML backend').addOption(homeOption()).action(stop);
program
  .command('doctor')
  .description('check this machine for what ChatML needs')
  .addOption(homeOption())
  .action(doctor);

program.parseAsync().catch((error: Error) => {
  console.error(`chatml: ${error.message}`);
  process.exit(1);
});
