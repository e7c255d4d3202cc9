using System.Data.Common;
using System.Globalization;

namespace Nexus.Cli.Db;

/// <summary>Reads a data reader into a <see cref="DbResult"/>, values as invariant text; columns whose name says they
/// hold a secret (<c>hash</c>, <c>secret</c>, <c>password</c>, <c>token</c>) are shown as <c>***</c>.</summary>
internal static class DbReader
{
    private static readonly string[] SecretWords = ["hash", "secret", "password", "token"];

    public static async Task<DbResult> ReadAsync(DbDataReader reader, int max, CancellationToken cancellationToken)
    {
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var secret = columns.Select(IsSecret).ToArray();
        var rows = new List<IReadOnlyList<string?>>();
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (rows.Count == max)
            {
                more = true;
                break;
            }
            var row = new string?[columns.Count];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : secret[i] ? "***" : Text(reader.GetValue(i));
            }
            rows.Add(row);
        }
        return new DbResult(columns, rows, more);
    }

    private static bool IsSecret(string column) =>
        SecretWords.Any(w => column.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static string Text(object value) => value switch
    {
        byte[] bytes => $"({bytes.Length} bytes)",
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
