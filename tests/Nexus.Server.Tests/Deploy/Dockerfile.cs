using System.Text.RegularExpressions;

namespace Nexus.Server.Tests.Deploy;

/// <summary>A Dockerfile read into its stages and instructions (continuation lines joined, comments dropped).</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

        /// <summary>ENV name=value pairs of this stage (values unquoted).</summary>
        public Dictionary<string, string> Environment()
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var args in All("ENV"))
            {
                foreach (Match m in EnvPair().Matches(args)) env[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
            }
            return env;
        }
    }

    public static Dockerfile Parse(string text)
    {
        var joined = ContinuedLine().Replace(string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))), " ");
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        foreach (var line in joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var args = space < 0 ? "" : line[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var words = args.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToArray();
                current = [];
                stages.Add(new Stage(words[0], words.Length >= 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : null, current));
            }
            else
            {
                current?.Add(new Instruction(keyword, args));
            }
        }
        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"\\\s*\n")]
    private static partial Regex ContinuedLine();

    [GeneratedRegex("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)")]
    private static partial Regex EnvPair();
}
