import { parseCloudFormationYaml } from './cloudFormationYaml';

describe('parseCloudFormationYaml', () => {
  it('turns short-form intrinsics into the long form', () => {
    const template = parseCloudFormationYaml(
      [
        'A: !Ref Thing',
        "B: !Sub 'fn-${Environment}'",
        'C: !GetAtt Fn.Version.Version',
        'D: !If [IsProd, !Ref X, !Ref AWS::NoValue]',
        'E: !Sub',
        '  - "${a}-${b}"',
        '  - { a: !Ref A }',
        'F: !Select [0, !Split [",", "a,b"]]',
      ].join('\n'),
    );
    expect(template).toEqual({
      A: { Ref: 'Thing' },
      B: { 'Fn::Sub': 'fn-${Environment}' },
      C: { 'Fn::GetAtt': ['Fn', 'Version.Version'] },
      D: { 'Fn::If': ['IsProd', { Ref: 'X' }, { Ref: 'AWS::NoValue' }] },
      E: { 'Fn::Sub': ['${a}-${b}', { a: { Ref: 'A' } }] },
      F: { 'Fn::Select': [0, { 'Fn::Split': [',', 'a,b'] }] },
    });
  });

  it('rejects malformed YAML with the position', () => {
    expect(() => parseCloudFormationYaml('a: [1, 2\nb: 3')).toThrow(/line/);
  });
});
