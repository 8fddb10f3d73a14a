const START = '[[[hl';
const STOP = 'hl]]]';

/** ts_headline options; the markers are swapped for <mark> after the text is HTML-escaped. */
export const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" ||| "`;

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Fragments that contain a match, as safe HTML with `<mark>` around matched terms. */
export function highlightFragments(headline: string): string[] {
  return headline
    .split(' ||| ')
    .filter((fragment) => fragment.includes(START))
    .map((fragment) => escapeHtml(fragment.trim()).split(START).join('<mark>').split(STOP).join('</mark>'));
}
