using System.Globalization;
using System.Text;

namespace Nexus.Client.Http;

/// <summary>Builds <c>path?name=value&amp;…</c> from the fields that are set, escaped.</summary>
internal sealed class QueryString(string path)
{
    private readonly StringBuilder _text = new(path);
    private bool _first = true;

    public QueryString Add(string name, string? value)
    {
        if (value is null) return this;
        _text.Append(_first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _first = false;
        return this;
    }

    public QueryString Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryString Add(string name, DateTimeOffset? value) => Add(name, value?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));

    public static string Segment(string value) => Uri.EscapeDataString(value);

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => _text.ToString();
}
