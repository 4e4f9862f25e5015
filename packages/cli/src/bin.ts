#!/usr/bin/env node
import { APP_VERSION } from '@chatml/protocol';
import { Command, Option } from 'commander';
import { ApiError, NotRunningError } from './api-client.js';
import { doctor } from './commands/doctor.js';
import { serve } from './commands/serve.js';
import {
  archiveSession,
  CliError,
  commitSession,
  listSessions,
  mergeSession,
  newSession,
  pullRequest,
  pushSession,
  sendToSession,
  showDiff,
} from './commands/session.js';
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

// `chatml session …`: the API for scripts. Options every subcommand shares come first.
const session = program
  .command('session')
  .description('list, create, message, diff, merge and publish sessions of the running app (for scripts)');
const sessionCommand = (name: string, description: string) =>
  session
    .command(name)
    .description(description)
    .addOption(homeOption())
    .option('--workspace <id|name|path>', 'the workspace (a path may be anywhere inside the repository)')
    .option('--json', 'print one JSON document instead of text');

sessionCommand('list', 'list sessions (all workspaces unless --workspace)')
  .option('--all', 'include archived sessions')
  .action(listSessions);
sessionCommand('new', 'create a session (a branch and worktree); adds the repository when needed')
  .option('--prompt <text>', 'the first message to the agent')
  .option('--name <name>', 'session name (default: a generated one); the branch is chatml/<name>')
  .option('--base <branch>', 'branch to start from (default: the workspace base branch)')
  .option('--model <model>', 'Claude model for this session')
  .addOption(
    new Option('--permission-mode <mode>', 'what the agent may do without asking').choices([
      'default',
      'acceptEdits',
      'plan',
      'bypassPermissions',
    ]),
  )
  .option('--wait', 'stream the reply and exit when the turn ends (non-zero if it failed)')
  .action(newSession);
sessionCommand('send', 'send a message to a session')
  .argument('<session>', 'session id, name or branch')
  .argument('<text...>', 'the message')
  .option('--wait', 'stream the reply and exit when the turn ends (non-zero if it failed)')
  .action(sendToSession);
sessionCommand('diff', "show a session's changes against its base branch")
  .argument('<session>', 'session id, name or branch')
  .option('--stat', 'files and line counts only')
  .action(showDiff);
sessionCommand('commit', "commit everything in a session's worktree")
  .argument('<session>', 'session id, name or branch')
  .requiredOption('-m, --message <message>', 'the commit message')
  .action(commitSession);
sessionCommand('merge', "merge a session's branch into its base branch")
  .argument('<session>', 'session id, name or branch')
  .addOption(new Option('--strategy <strategy>', 'how').choices(['squash', 'merge']).default('squash'))
  .option('--archive', 'archive the session and delete its branch afterwards')
  .option('-m, --message <message>', 'the commit message (default: generated)')
  .action(mergeSession);
sessionCommand('push', "push a session's branch to the workspace's remote")
  .argument('<session>', 'session id, name or branch')
  .option('--force', 'overwrite the remote branch (with --force-with-lease)')
  .action(pushSession);
sessionCommand('pr', 'open a pull request for a session (pushing first), or show its status')
  .argument('<session>', 'session id, name or branch')
  .option('--title <title>', 'PR title (default: the first line of the first prompt)')
  .option('--body <body>', "PR body (default: the repository's PR template)")
  .option('--draft', 'open it as a draft')
  .option('--status', 'show the open PR: state, checks, review comments')
  .action(pullRequest);
sessionCommand('archive', 'archive a session: remove its worktree, keep its branch and transcript')
  .argument('<session>', 'session id, name or branch')
  .action(archiveSession);

program.parseAsync().catch((error: Error) => {
  console.error(`chatml: ${error.message}`);
  // Errors the user can act on are shown as they are; anything else is a bug worth a stack.
  if (!(error instanceof CliError || error instanceof ApiError || error instanceof NotRunningError))
    console.error(error.stack);
  process.exit(error instanceof CliError ? error.exitCode : 1);
});
