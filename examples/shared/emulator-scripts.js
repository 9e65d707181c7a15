// What the local provider emulators answer for each example, when it runs without provider keys.
// Each emulator answers from a FIFO queue, so replies are listed in the order the example calls
// that provider; calls made in parallel go to different providers, which keeps the order fixed.
// Unscripted calls get the emulator's default reply, which says it comes from the emulator.

const json = (value) => JSON.stringify(value);

export const EMULATOR_SCRIPTS = {
  'healthcare-triage': ({ openai, anthropic }) => {
    openai.enqueue(
      { text: json({ urgency: 'same-day', reason: 'Palpitations with dizziness on standing in a patient on a beta blocker.' }) },
      { text: json({ urgency: 'same-day', reason: 'Spreading warm rash may be cellulitis.' }) },
      { text: json({ urgency: 'same-day', reason: 'Two days of fever with reduced fluid intake in a young child.' }) },
    );
    anthropic.enqueue(
      { text: 'Thank you for letting us know. A cardiology nurse will call you today. If you faint, have chest pain or feel short of breath, call 112 straight away.' },
      { text: 'Thank you for the photo and details. A dermatology nurse will call you today to arrange a same-day check of the rash.' },
      { text: 'Thank you for writing. A pediatric nurse will call you today. Please keep offering small sips of fluid often.' },
    );
  },

  'research-agents': ({ openai, anthropic, gemini }) => {
    openai.enqueue(
      // planner
      { text: json({ questions: [
        'How much does urban tree cover reduce heat-related deaths?',
        'How do cities warn and protect vulnerable residents during heatwaves?',
        'What do cool roofs and green roofs cost, and how much do they cool?',
      ] }) },
      // searcher-openai: the tool call, then the answer from its results
      { toolCall: { name: 'search_library', arguments: { query: 'tree cover heat related deaths' } } },
      { text: 'Raising tree cover to 30% could have prevented about a third of heat-related deaths in 2015 [doc-04]; Barcelona squares with trees and shade were up to 9 °C cooler [doc-02].' },
      // synthesiser, streamed: a slow first chunk makes the time to first token visible
      { text: 'Cities that combine more trees, reflective roofs and a heat-health warning system protect residents best: canopy cuts deaths, cool roofs cut indoor peaks cheaply, and phone check-ins reach the elderly that cooling centres miss.', firstChunkDelayMs: 150 },
    );
    anthropic.enqueue(
      { toolCall: { name: 'search_library', arguments: { query: 'heat warnings cooling centres elderly' } } },
      { text: 'Heat-health warning systems trigger cooling centres, calls to isolated elderly residents and longer pool hours [doc-05]; phone check-ins reach more elderly people than cooling centres [doc-09].' },
      // summariser, streamed
      { text: '- Tree cover to 30% could prevent a third of heat deaths [doc-04]\n- Warnings plus phone check-ins protect the elderly [doc-05, doc-09]\n- Cool roofs: 2-4 °C lower indoor peaks at a fifth of green-roof cost [doc-01, doc-07]', firstChunkDelayMs: 100, chunkDelayMs: 5 },
    );
    gemini.enqueue(
      { toolCall: { name: 'search_library', arguments: { query: 'cool roofs green roofs cost' } } },
      { text: 'Reflective coatings lowered top-floor peaks by 2-4 °C in Paris [doc-01]; green roofs cost three to five times more but also retain rain [doc-07].' },
    );
  },

  // Many similar calls: the default replies (with token counts estimated from each request) do.
  'cost-by-tier': () => {},

  'own-otel-sdk': ({ openai }) => {
    openai.enqueue(
      { text: 'Safari users at acme-corp are stuck in an SSO redirect loop since Monday; Chrome is unaffected.' },
      { text: 'Globex was billed for 40 seats but has 32 active members and asks for a corrected November invoice.' },
    );
  },
};
