namespace Nexus.Dashboard.Data;

/// <summary>A small layered layout of a directed acyclic graph, drawn left to right: a node's layer is the longest path
/// from a root to it, nodes within a layer are ordered by the mean position of their upstream nodes (one sweep, then
/// their definition order), and edges are drawn from the right side of a node to the left side of the next. Enough for
/// workflow graphs (1–1,000 steps); no crossing minimisation beyond the sweep.</summary>
internal static class DagLayout
{
    public const double NodeWidth = 150;
    public const double NodeHeight = 40;
    public const double LayerGap = 60;
    public const double RowGap = 16;
    public const double Margin = 8;

    /// <summary>One placed node: its id and top-left corner.</summary>
    public sealed record Node(string Id, double X, double Y);

    /// <summary>One edge: from the upstream node's right side to the downstream node's left side.</summary>
    public sealed record Edge(string From, string To, double X1, double Y1, double X2, double Y2);

    /// <summary>The placed graph and its size.</summary>
    public sealed record Result(IReadOnlyList<Node> Nodes, IReadOnlyList<Edge> Edges, double Width, double Height);

    /// <summary>Lays out <paramref name="nodes"/> (ids in definition order, each with the ids it needs). Needs naming no
    /// node are ignored; the graph must be acyclic (registered workflows are).</summary>
    public static Result Layout(IReadOnlyList<(string Id, IReadOnlyList<string> Needs)> nodes)
    {
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++) order.TryAdd(nodes[i].Id, i);
        var needs = nodes.GroupBy(n => n.Id, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Needs.Where(order.ContainsKey).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var layer = new Dictionary<string, int>(StringComparer.Ordinal);
        int LayerOf(string id, int depth)
        {
            if (layer.TryGetValue(id, out var known)) return known;
            if (depth > nodes.Count) return 0; // a cycle (never for a validated workflow): stop rather than recurse forever
            var value = needs[id].Count == 0 ? 0 : needs[id].Max(n => LayerOf(n, depth + 1)) + 1;
            layer[id] = value;
            return value;
        }
        foreach (var id in order.Keys) LayerOf(id, 0);

        var layers = order.Keys.GroupBy(id => layer[id]).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var members in layers)
        {
            var sorted = members
                .OrderBy(id => needs[id].Count == 0 ? double.MaxValue : needs[id].Average(n => row[n]))
                .ThenBy(id => order[id])
                .ToList();
            if (sorted.All(id => needs[id].Count == 0)) sorted = [.. members.OrderBy(id => order[id])];
            for (var i = 0; i < sorted.Count; i++) row[sorted[i]] = i;
        }

        var placed = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var id in order.Keys)
        {
            placed[id] = new Node(id, Margin + layer[id] * (NodeWidth + LayerGap), Margin + row[id] * (NodeHeight + RowGap));
        }
        var edges = new List<Edge>();
        foreach (var id in order.Keys)
        {
            var to = placed[id];
            foreach (var need in needs[id])
            {
                var from = placed[need];
                edges.Add(new Edge(need, id, from.X + NodeWidth, from.Y + NodeHeight / 2, to.X, to.Y + NodeHeight / 2));
            }
        }
        var width = layers.Count == 0 ? 2 * Margin : Margin * 2 + layers.Count * NodeWidth + (layers.Count - 1) * LayerGap;
        var rows = layers.Count == 0 ? 0 : layers.Max(l => l.Count);
        var height = Margin * 2 + rows * NodeHeight + Math.Max(0, rows - 1) * RowGap;
        return new Result([.. order.Keys.Select(id => placed[id])], edges, width, height);
    }
}
