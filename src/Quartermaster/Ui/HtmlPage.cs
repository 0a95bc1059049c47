using System.Globalization;
using System.Text;

namespace Quartermaster.Ui;

/// <summary>
/// Builds one server-rendered page: the shared head, style and navigation bar, then content. Every piece of text goes
/// through <see cref="Encode"/>; only this class writes markup.
/// </summary>
internal sealed class HtmlPage
{
    public const string ContentType = "text/html; charset=utf-8";

    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
        nav{background:#263238;padding:.5em 1em}nav a{color:#eceff1;margin-right:1.2em;text-decoration:none}
        nav a:hover{text-decoration:underline}main{padding:0 1em 2em}
        table{border-collapse:collapse;margin:.5em 0 1em;background:#fff}
        th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
        th{background:#eceff1}tr:nth-child(even) td{background:#f5f5f5}
        td.num{text-align:right}.labels{font-family:monospace;font-size:.85em;word-break:break-all}
        .ok{color:#2e7d32}.bad{color:#c62828}.warn{background:#fff3e0;border-left:4px solid #ef6c00;padding:.3em .6em;margin:.3em 0}
        pre{background:#fff;border:1px solid #ccc;padding:.5em;overflow-x:auto}form{margin:.5em 0}
        .pager a,.pager span{margin-right:.8em}
        """;

    private static readonly (string Href, string Text)[] Nav =
    [
        ("/", "Overview"),
        ("/ui/jobs", "Jobs"),
        ("/ui/collectors", "Collectors"),
        ("/ui/targets", "Targets"),
        ("/ui/unassigned", "Unassigned"),
        ("/ui/scrape-configs", "Scrape configs"),
        ("/ui/explain", "Explain"),
    ];

    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create("&<>\"'");

    private readonly StringBuilder _body = new();
    private readonly string _title;

    public HtmlPage(string title)
    {
        _title = title;
    }

    /// <summary>Escapes the five characters that matter in text and quoted attributes; the page is UTF-8, so nothing else.</summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny(Special) < 0)
        {
            return text ?? "";
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '"' => sb.Append("&quot;"),
                '\'' => sb.Append("&#39;"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }

    /// <summary>A query-string value, escaped for a URL and then for an attribute.</summary>
    public static string Query(string value) => Uri.EscapeDataString(value);

    public static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public HtmlPage Heading(string text, int level = 2)
    {
        _body.Append(CultureInfo.InvariantCulture, $"<h{level}>").Append(Encode(text)).Append(CultureInfo.InvariantCulture, $"</h{level}>\n");
        return this;
    }

    public HtmlPage Paragraph(string text, string? cssClass = null)
    {
        _body.Append(cssClass is null ? "<p>" : $"<p class=\"{cssClass}\">").Append(Encode(text)).Append("</p>\n");
        return this;
    }

    public HtmlPage Warning(string text)
    {
        _body.Append("<div class=\"warn\">").Append(Encode(text)).Append("</div>\n");
        return this;
    }

    /// <summary>Markup the caller built from encoded pieces.</summary>
    public HtmlPage Raw(string html)
    {
        _body.Append(html);
        return this;
    }

    public HtmlPage Pre(string text)
    {
        _body.Append("<pre>").Append(Encode(text)).Append("</pre>\n");
        return this;
    }

    /// <summary>A paragraph of text followed by a link.</summary>
    public HtmlPage LinkParagraph(string text, string href, string linkText)
    {
        _body.Append("<p>").Append(Encode(text)).Append(' ').Append(Link(href, linkText)).Append("</p>\n");
        return this;
    }

    /// <summary>A GET form with one search box and hidden fields, so search works without JavaScript.</summary>
    public HtmlPage SearchForm(string action, string? query, IEnumerable<(string Name, string Value)>? hidden = null)
    {
        _body.Append("<form method=\"get\" action=\"").Append(Encode(action)).Append("\" role=\"search\">");
        foreach (var (name, value) in hidden ?? [])
        {
            _body.Append("<input type=\"hidden\" name=\"").Append(Encode(name)).Append("\" value=\"").Append(Encode(value)).Append("\">");
        }

        _body.Append("<input type=\"search\" name=\"q\" size=\"40\" placeholder=\"address, label value or name=value\" value=\"")
            .Append(Encode(query)).Append("\"> <button type=\"submit\">Search</button></form>\n");
        return this;
    }

    public Table Table(params string[] headers)
    {
        _body.Append("<table><thead><tr>");
        foreach (var h in headers)
        {
            _body.Append("<th>").Append(Encode(h)).Append("</th>");
        }

        _body.Append("</tr></thead><tbody>\n");
        return new Table(_body);
    }

    /// <summary>Links to the previous and next page, keeping the other query parameters.</summary>
    public HtmlPage Pager(string path, IEnumerable<(string Name, string? Value)> keep, Paging paging, int total, bool totalIsLowerBound = false)
    {
        var first = total == 0 ? 0 : paging.Offset + 1;
        var last = Math.Min(total, paging.Offset + paging.Size);
        _body.Append("<p class=\"pager\"><span>")
            .Append(Encode($"{Num(first)}–{Num(last)} of {Num(total)}{(totalIsLowerBound ? "+" : "")}"))
            .Append("</span>");
        if (paging.Page > 1)
        {
            _body.Append(Link(PageHref(path, keep, paging, paging.Page - 1), "« previous"));
        }

        if (paging.Offset + paging.Size < total)
        {
            _body.Append(Link(PageHref(path, keep, paging, paging.Page + 1), "next »"));
        }

        _body.Append("</p>\n");
        return this;
    }

    public static string Link(string href, string text) => $"<a href=\"{Encode(href)}\">{Encode(text)}</a>";

    public static string Href(string path, IEnumerable<(string Name, string? Value)> query)
    {
        var sb = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (!string.IsNullOrEmpty(value))
            {
                sb.Append(separator).Append(Query(name)).Append('=').Append(Query(value));
                separator = '&';
            }
        }

        return sb.ToString();
    }

    public string Render()
    {
        var sb = new StringBuilder(_body.Length + 2048);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
            .Append(Encode(_title)).Append(" – Quartermaster</title><style>").Append(Style).Append("</style></head>\n<body><nav>");
        foreach (var (href, text) in Nav)
        {
            sb.Append(Link(href, text));
        }

        sb.Append("</nav><main>\n<h1>").Append(Encode(_title)).Append("</h1>\n").Append(_body).Append("</main></body></html>\n");
        return sb.ToString();
    }

    public IResult ToResult(int statusCode = StatusCodes.Status200OK) => Results.Content(Render(), ContentType, Encoding.UTF8, statusCode);

    /// <summary>A short error page: a heading that says what went wrong and what was expected.</summary>
    public static IResult Error(int statusCode, string title, string message) =>
        new HtmlPage(title).Paragraph(message).ToResult(statusCode);

    private static string PageHref(string path, IEnumerable<(string Name, string? Value)> keep, Paging paging, int page) =>
        Href(path, keep.Append(("page", page.ToString(CultureInfo.InvariantCulture)))
            .Append(("size", paging.Size == Paging.DefaultSize ? null : paging.Size.ToString(CultureInfo.InvariantCulture))));
}
