import { describe, expect, it } from 'vitest';
import { buildReplyContext } from './context.js';
import { DEMO_MODEL_LABEL, demoHandler, slugify } from './demo-handler.js';
import type { MessagesRequestBody, ReplyContext, ScriptedBlock, ScriptedMessage } from './types.js';

function contextFor(messages: MessagesRequestBody['messages'], tools = [{ name: 'Write' }]): ReplyContext {
  const body: MessagesRequestBody = {
    system: [{ type: 'text', text: 'Primary working directory: /work/tree' }],
    messages,
    tools,
  };
  return buildReplyContext(
    { method: 'POST', path: '/v1/messages', headers: {}, body, receivedAt: 0 },
    body,
    0,
  );
}

async function blocks(context: ReplyContext): Promise<ScriptedBlock[]> {
  return ((await demoHandler({})(context)) as ScriptedMessage).content;
}

const prompt = 'Add a README section about Ünïcode & tests!';

describe('demoHandler', () => {
  it('says it is the demo model, echoes the request, and writes a note inside the cwd', async () => {
    const reply = await blocks(contextFor([{ role: 'user', content: prompt }]));

    const [text, write] = reply;
    expect(text?.type === 'text' && text.text).toContain(DEMO_MODEL_LABEL);
    expect(text?.type === 'text' && text.text).toContain(`> ${prompt}`);
    expect(write).toMatchObject({
      type: 'tool_use',
      name: 'Write',
      input: { file_path: '/work/tree/chatml-demo/add-a-readme-section-about-unicode-tests.md' },
    });
    expect(write?.type === 'tool_use' && String(write.input.content)).toContain(prompt);
  });

  it('is deterministic', async () => {
    const context = contextFor([{ role: 'user', content: prompt }]);
    expect(await blocks(context)).toEqual(await blocks(context));
  });

  it('sums up after the tool result, or says why nothing was written', async () => {
    const asked = [
      { role: 'user', content: prompt },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }] },
    ];
    const ok = await blocks(
      contextFor([
        ...asked,
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] },
      ]),
    );
    const denied = await blocks(
      contextFor([
        ...asked,
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: 'Denied.' }],
        },
      ]),
    );
    expect(ok).toHaveLength(1);
    expect(ok[0]?.type === 'text' && ok[0].text).toContain(
      'Done: I created `chatml-demo/add-a-readme-section',
    );
    expect(denied[0]?.type === 'text' && denied[0].text).toContain('I could not write');
    expect(denied[0]?.type === 'text' && denied[0].text).toContain('Denied.');
  });

  it('only talks when it cannot write', async () => {
    const reply = await blocks(contextFor([{ role: 'user', content: prompt }], [{ name: 'Read' }]));
    expect(reply.map((block) => block.type)).toEqual(['text']);
  });
});

describe('slugify', () => {
  it('makes short ASCII file names', () => {
    expect(slugify('Fix the bug in `src/app.ts`, please!')).toBe('fix-the-bug-in-src-app-ts-please');
    expect(slugify('???')).toBe('note');
    expect(slugify('a'.repeat(100))).toHaveLength(48);
  });
});
