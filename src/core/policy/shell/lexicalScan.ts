import { expandBraces } from './braces.js';

/**
 * A rough tokenizer for input the shell grammar cannot read (a syntax error) or that is too long to parse:
 * it splits simple commands at unquoted operators and removes quotes, so the forbidden scan (RULES.md C0)
 * still runs over the whole input. An unterminated quote makes the rest of the input one data word.
 */
export function lexicalCommands(input: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  const endWord = () => {
    if (inWord) words.push(...(quoted ? [word] : expandBraces(word)));
    word = '';
    inWord = false;
    quoted = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch === '\\' && i + 1 < input.length) {
      if (input[i + 1] !== '\n') {
        word += input[i + 1];
        inWord = true;
      }
      i++;
    } else if (ch === "'") {
      quoted = true;
      const end = input.indexOf("'", i + 1);
      word += end === -1 ? input.slice(i + 1) : input.slice(i + 1, end);
      inWord = true;
      i = end === -1 ? input.length : end;
    } else if (ch === '"') {
      quoted = true;
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      word += input.slice(i + 1, Math.min(j, input.length)).replace(/\\([$`"\\])/g, '$1');
      inWord = true;
      i = j;
    } else if (ch === '#' && !inWord) {
      const nl = input.indexOf('\n', i);
      i = nl === -1 ? input.length : nl - 1;
    } else if ((ch === '{' || ch === '}') && (inWord || (ch === '{' && /^\{[^\s{}]*,/.test(input.slice(i))))) {
      // Part of a word, or the start of a brace expansion; a lone `{`/`}` groups commands.
      word += ch;
      inWord = true;
    } else if (';&|()\n{}`<>'.includes(ch) || (ch === '$' && input[i + 1] === '(')) {
      if ((ch === '<' || ch === '>') && !inWord) {
        endWord();
        continue;
      }
      endCommand();
      if (ch === '$') i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord();
    } else {
      word += ch;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
