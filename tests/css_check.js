// node tests/css_check.js FILE.css: checks a style sheet with css-tree (Debian's
// node-css-tree): it must parse without error, and every declaration must be
// a known property with a value valid for it (css-tree's lexer, the CSS
// specifications' grammars). Prints each problem as FILE:LINE:COLUMN: what,
// and exits 1 if there is one.
'use strict';
const fs = require('fs');
const csstree = require('css-tree');

const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const problems = [];
const at = (loc) => (loc ? `${file}:${loc.start.line}:${loc.start.column}` : file);

const ast = csstree.parse(text, {
  positions: true,
  onParseError: (e) => problems.push(`${file}:${e.line}:${e.column}: ${e.formattedMessage || e.message}`),
});
let declarations = 0;
csstree.walk(ast, {
  visit: 'Declaration',
  enter(node) {
    declarations++;
    if (node.property.startsWith('--')) return;  // custom properties take any value
    const match = csstree.lexer.matchDeclaration(node);
    if (match.error) problems.push(`${at(node.loc)}: ${node.property}: ${match.error.message.split('\n')[0]}`);
  },
});
if (!declarations) problems.push(`${file}: no declarations`);
problems.forEach((p) => console.log(p));
console.log(problems.length ? `css_check: ${problems.length} problem(s)` : `css_check: OK: ${declarations} declarations`);
process.exit(problems.length ? 1 : 0);
