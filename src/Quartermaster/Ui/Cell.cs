namespace Quartermaster.Ui;

/// <summary>One table cell's already-encoded content.</summary>
internal readonly record struct Cell(string Html, string? CssClass = null)
{
    public static implicit operator Cell(string text) => new(HtmlPage.Encode(text));

    public static Cell Number(long value) => new(HtmlPage.Num(value), "num");

    public static Cell Link(string href, string text) => new(HtmlPage.Link(href, text));

    public static Cell Labels(string text) => new(HtmlPage.Encode(text), "labels");

    public static Cell Status(bool ok, string text) => new(HtmlPage.Encode(text), ok ? "ok" : "bad");
}
