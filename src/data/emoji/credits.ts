/** Licences and credits of the emoji art styles (data/emoji/credits.json), for reports and the image folder. */
import { packageVersion } from './packages.js';
import { EMOJI_STYLES, type EmojiStyle, loadEmojiRules } from './rules.js';

export interface EmojiCredit {
  style: EmojiStyle;
  title: string;
  author: string;
  /** npm package the art comes from, and its installed version. */
  package: string;
  version: string;
  /** SPDX identifier of the art's licence. */
  license: string;
  licenseUrl: string;
  url: string;
  /** Attribution text to show wherever the images are shown or shipped. */
  attribution: string;
}

/** Credits of the given styles (default all), in style order, with the installed package versions. */
export function emojiCredits(styles: readonly EmojiStyle[] = EMOJI_STYLES): EmojiCredit[] {
  const { credits } = loadEmojiRules();
  return EMOJI_STYLES.filter((s) => styles.includes(s)).map((style) => {
    const c = credits.styles[style];
    if (!c) throw new Error(`emojiCredits: data/emoji/credits.json has no entry for style "${style}"`);
    return { style, ...c, version: packageVersion(c.package) };
  });
}

/** CREDITS.md written beside the rendered images: what they are, whose art, which licence, what changed. */
export function creditsMarkdown(styles: readonly EmojiStyle[], size: number): string {
  const { credits } = loadEmojiRules();
  const lines = [
    '# Emoji demo images: credits and licences',
    '',
    'Drawings, not photographs: a demo and integration-test set, not evidence about bias on real people.',
    credits.changes.replaceAll('{size}', String(size)),
    '',
    '| style | art | package | licence | attribution |',
    '|---|---|---|---|---|',
    ...emojiCredits(styles).map(
      (c) =>
        `| ${c.style} | [${c.title}](${c.url}) by ${c.author} | ${c.package}@${c.version} | [${c.license}](${c.licenseUrl}) | ${c.attribution} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
