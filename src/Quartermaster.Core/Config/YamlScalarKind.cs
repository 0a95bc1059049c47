namespace Quartermaster.Core.Config;

/// <summary>How YAML 1.1 (Go's yaml.v2) resolves a scalar.</summary>
internal enum YamlScalarKind
{
    Null,
    Bool,
    Int,
    Float,
    String,
}
