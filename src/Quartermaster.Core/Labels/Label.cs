namespace Quartermaster.Core.Labels;

/// <summary>One Prometheus label: a name and a value. An empty value means the label is absent.</summary>
public readonly record struct Label(string Name, string Value)
{
    public override string ToString() => $"{Name}=\"{Value}\"";
}
