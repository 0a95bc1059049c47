using System.Text;

namespace Quartermaster.Ui;

/// <summary>Rows of a table opened by <see cref="HtmlPage.Table"/>; cells are text, numbers, links or preformatted markup.</summary>
internal readonly struct Table
{
    private readonly StringBuilder _sb;

    public Table(StringBuilder sb)
    {
        _sb = sb;
    }

    public Table Row(params Cell[] cells)
    {
        _sb.Append("<tr>");
        foreach (var cell in cells)
        {
            _sb.Append(cell.CssClass is null ? "<td>" : $"<td class=\"{cell.CssClass}\">").Append(cell.Html).Append("</td>");
        }

        _sb.Append("</tr>\n");
        return this;
    }

    public void End() => _sb.Append("</tbody></table>\n");
}
