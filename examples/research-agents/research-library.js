// The searchers' tool: a keyword search over a small research library on urban heat, standing in
// for the web or document search a real research agent would call. Deterministic on purpose, so
// that the run is the same every time; the LLM calls around it are what the example is about.
const LIBRARY = [
  { id: 'doc-01', title: 'Cool roofs in Paris: 2023 field measurements', text: 'Reflective roof coatings lowered indoor peak temperatures in top-floor flats by 2 to 4 °C during the July heatwave; the city subsidises coatings on social housing.' },
  { id: 'doc-02', title: 'Barcelona superblocks and shade', text: 'Closing streets to through traffic freed space for trees and shade structures; surface temperatures in superblock squares were up to 9 °C lower at noon.' },
  { id: 'doc-03', title: 'Vienna cool streets programme', text: 'Temporary misting poles, water fountains and light-coloured paving on 22 streets; residents report using them most between 14:00 and 18:00.' },
  { id: 'doc-04', title: 'Urban tree canopy and mortality', text: 'A study of 93 European cities estimates that raising tree cover to 30% could have prevented a third of heat-related deaths in summer 2015.' },
  { id: 'doc-05', title: 'Heat action plans: early warnings', text: 'Cities with heat-health warning systems open cooling centres, call isolated elderly residents and extend pool hours when the warning level is reached.' },
  { id: 'doc-06', title: 'Rotterdam water squares', text: 'Water squares store storm water and cool the surrounding blocks by evaporation; maintenance costs are modest compared with sewer upgrades.' },
  { id: 'doc-07', title: 'Costs of green roofs versus cool roofs', text: 'Green roofs cost three to five times more per square metre than reflective coatings but also retain rain and support biodiversity.' },
  { id: 'doc-08', title: 'Athens chief heat officer', text: 'A dedicated heat officer coordinates tree planting, shaded bus stops and the heat warning categories used by the civil protection agency.' },
  { id: 'doc-09', title: 'Cooling centres: who uses them', text: 'Surveys in Lyon and Milan found that cooling centres reach fewer elderly people than phone check-ins; transport to the centre is the main barrier.' },
];

const words = (text) => text.toLowerCase().match(/[a-zà-ÿ0-9]+/g) ?? [];

/** The `limit` documents sharing the most words with the query, best first. */
export function searchLibrary(query, limit = 3) {
  const wanted = new Set(words(query).filter((w) => w.length > 3));
  return LIBRARY.map((doc) => ({ doc, score: words(`${doc.title} ${doc.text}`).filter((w) => wanted.has(w)).length }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ doc }) => ({ id: doc.id, title: doc.title, excerpt: doc.text }));
}

/** The tool's description, shared by the three providers' tool formats. */
export const SEARCH_TOOL = {
  name: 'search_library',
  description: "Searches the team's research library on urban heat and returns the three most relevant excerpts.",
  parameters: {
    type: 'object',
    properties: { query: { type: 'string', description: 'What to look for, in a few keywords' } },
    required: ['query'],
  },
};
