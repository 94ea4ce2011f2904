// A validator for the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that Tessera's document
// uses. An unknown keyword is an error, not a pass, so the document cannot grow a rule this ignores.

type Schema = Record<string, unknown>;

const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'items',
  '$ref',
  'const',
  'enum',
  'format',
  'minLength',
  'maxLength',
  'description',
]);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/**
 * Returns the problems of `value` against `schema` (empty when it conforms), each with a JSON path.
 * `root` resolves `#/components/schemas/...` references.
 */
export function checkSchema(schema: Schema, value: unknown, root: Schema, path = '$'): string[] {
  for (const keyword of Object.keys(schema))
    if (!KNOWN.has(keyword))
      throw new Error(`schema keyword "${keyword}" at ${path} is not supported by this validator`);
  if (typeof schema.$ref === 'string') {
    const target = schema.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node as Schema | undefined)?.[part], root);
    if (target === undefined) return [`${path}: unresolved $ref ${schema.$ref}`];
    return checkSchema(target as Schema, value, root, path);
  }
  const problems: string[] = [];
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const actual = typeOf(value);
    if (!types.includes(actual) && !(actual === 'integer' && types.includes('number')))
      return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if ('const' in schema && value !== schema.const)
    problems.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength)
      problems.push(`${path}: shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength)
      problems.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.format === 'email' && !EMAIL.test(value)) problems.push(`${path}: not an email`);
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!(name in object)) problems.push(`${path}: missing required ${name}`);
    const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [name, sub] of Object.entries(properties))
      if (name in object) problems.push(...checkSchema(sub, object[name], root, `${path}.${name}`));
  }
  if (Array.isArray(value) && schema.items !== undefined)
    value.forEach((item, i) =>
      problems.push(...checkSchema(schema.items as Schema, item, root, `${path}[${i}]`)),
    );
  return problems;
}
