// The three searcher agents, one per provider SDK, each a two-step tool loop: the model is made to
// call search_library, the app runs the search inside an `execute_tool` span, and the model
// answers from the excerpts (with tools switched off, so the loop always ends). The same loop is
// written three times on purpose: it is how each SDK spells tool calls.
import { withTool } from '@tokentrace/instrumentation';
import { SEARCH_TOOL, searchLibrary } from './research-library.js';

const INSTRUCTIONS = 'You are a research assistant. Search the library once, then answer the question in three sentences, citing document ids in brackets.';

const runSearch = (callId, args) =>
  withTool({ name: SEARCH_TOOL.name, callId, arguments: args }, async () => searchLibrary(args.query));

/** Searcher on OpenAI Chat Completions. */
export function openaiSearcher(openai, model = 'gpt-4o-mini') {
  const tools = [{ type: 'function', function: SEARCH_TOOL }];
  return async (question) => {
    const messages = [{ role: 'system', content: INSTRUCTIONS }, { role: 'user', content: question }];
    const first = await openai.chat.completions.create({ model, messages, tools, tool_choice: { type: 'function', function: { name: SEARCH_TOOL.name } } });
    const asked = first.choices[0].message;
    const call = asked.tool_calls[0];
    const results = await runSearch(call.id, JSON.parse(call.function.arguments));
    const answer = await openai.chat.completions.create({
      model,
      messages: [...messages, asked, { role: 'tool', tool_call_id: call.id, content: JSON.stringify(results) }],
      tools,
      tool_choice: 'none',
    });
    return answer.choices[0].message.content;
  };
}

/** Searcher on Anthropic Messages. */
export function anthropicSearcher(anthropic, model = 'claude-haiku-4-5') {
  const tools = [{ name: SEARCH_TOOL.name, description: SEARCH_TOOL.description, input_schema: SEARCH_TOOL.parameters }];
  return async (question) => {
    const messages = [{ role: 'user', content: question }];
    const first = await anthropic.messages.create({ model, max_tokens: 512, system: INSTRUCTIONS, messages, tools, tool_choice: { type: 'tool', name: SEARCH_TOOL.name } });
    const use = first.content.find((block) => block.type === 'tool_use');
    const results = await runSearch(use.id, use.input);
    const answer = await anthropic.messages.create({
      model,
      max_tokens: 512,
      system: INSTRUCTIONS,
      messages: [...messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: JSON.stringify(results) }] }],
      tools,
      tool_choice: { type: 'none' },
    });
    return answer.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
  };
}

/** Searcher on Gemini generateContent. */
export function geminiSearcher(gemini, model = 'gemini-2.5-flash') {
  const tools = [{ functionDeclarations: [{ name: SEARCH_TOOL.name, description: SEARCH_TOOL.description, parametersJsonSchema: SEARCH_TOOL.parameters }] }];
  return async (question) => {
    const contents = [{ role: 'user', parts: [{ text: question }] }];
    const first = await gemini.models.generateContent({
      model,
      contents,
      config: { systemInstruction: INSTRUCTIONS, tools, toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [SEARCH_TOOL.name] } } },
    });
    const call = first.functionCalls[0];
    const results = await runSearch(call.id, call.args);
    const answer = await gemini.models.generateContent({
      model,
      contents: [...contents, first.candidates[0].content, { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { results } } }] }],
      config: { systemInstruction: INSTRUCTIONS, tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } },
    });
    return answer.text;
  };
}
