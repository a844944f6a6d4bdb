// "--name value" arguments over defaults; a default of null makes the option required.
'use strict';
exports.options = (argv, defaults) => {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in defaults) || i + 1 >= argv.length) {
      throw new Error(`unknown option or missing value: ${argv[i]} (options: ${Object.keys(defaults).join(', ')})`);
    }
    o[name] = argv[i + 1];
  }
  for (const [k, v] of Object.entries(o)) if (v === null) throw new Error(`--${k} is required`);
  return o;
};
