using System.Globalization;

namespace Quartermaster.Ui;

/// <summary>A page of a long list, from the <c>page</c> and <c>size</c> query parameters.</summary>
internal readonly record struct Paging(int Page, int Size)
{
    public const int DefaultSize = 100;

    public const int MaxSize = 1000;

    /// <summary>Pages past this would start beyond any list the service holds; refusing them keeps offsets in range.</summary>
    public const int MaxPage = 1_000_000;

    public int Offset => (Page - 1) * Size;

    public static bool TryParse(IQueryCollection query, out Paging paging, out string error)
    {
        paging = new Paging(1, DefaultSize);
        error = "";
        var page = 1;
        var size = DefaultSize;
        if (query.TryGetValue("page", out var pageValues)
            && (pageValues.Count != 1 || !int.TryParse(pageValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1 || page > MaxPage))
        {
            error = $"page must be one whole number from 1 to {MaxPage}, as in ?page=2; got \"{string.Join(",", pageValues.ToArray())}\"";
            return false;
        }

        if (query.TryGetValue("size", out var sizeValues)
            && (sizeValues.Count != 1 || !int.TryParse(sizeValues[0], NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxSize))
        {
            error = $"size must be one whole number from 1 to {MaxSize}, as in ?size=100; got \"{string.Join(",", sizeValues.ToArray())}\"";
            return false;
        }

        paging = new Paging(page, size);
        return true;
    }
}
