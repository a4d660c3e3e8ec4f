import { parse, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

/** Intrinsic functions with a short YAML form (`!Ref X`, `!GetAtt A.B`, `!If [c, a, b]`). */
const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Condition',
  'Ref',
];

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

// Each short form becomes the long form CloudFormation itself produces
// (`!Ref X` -> {Ref: X}, `!Sub s` -> {"Fn::Sub": s}), in all three shapes a
// tag may take: scalar, sequence and mapping.
const cloudFormationTags: Tags = INTRINSICS.flatMap(name => [
  {
    tag: `!${name}`,
    resolve: (value: string) => ({
      [longName(name)]: name === 'GetAtt' ? value.split(/\.(.*)/s, 2) : value,
    }),
  },
  {
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (value: YAMLSeq.Parsed | YAMLMap.Parsed) => ({
      [longName(name)]: value.toJSON(),
    }),
  },
  {
    tag: `!${name}`,
    collection: 'map' as const,
    resolve: (value: YAMLSeq.Parsed | YAMLMap.Parsed) => ({
      [longName(name)]: value.toJSON(),
    }),
  },
]);

/** Parses a CloudFormation or SAM template written in YAML, short-form intrinsics included. */
export function parseCloudFormationYaml(text: string): unknown {
  return parse(text, { customTags: cloudFormationTags, prettyErrors: true });
}
