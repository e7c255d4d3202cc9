namespace Nexus.Workflows;

/// <summary>The step graph of a definition: upstream sets and the order steps can run in.</summary>
internal sealed class WorkflowGraph
{
    private readonly Dictionary<string, WorkflowStep> _byId;
    private readonly Dictionary<string, HashSet<string>> _ancestors = new(StringComparer.Ordinal);

    public WorkflowGraph(WorkflowDefinition definition)
    {
        _byId = definition.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        Downstream = definition.Steps.ToDictionary(s => s.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            foreach (var need in step.Needs ?? []) Downstream[need].Add(step.Id);
        }
    }

    /// <summary>For each step, the steps that need it.</summary>
    public Dictionary<string, List<string>> Downstream { get; }

    public WorkflowStep this[string id] => _byId[id];

    /// <summary>A cycle as a list of step ids (first repeated at the end), or null when the graph is acyclic.
    /// Needs must already name existing steps.</summary>
    public static List<string>? FindCycle(IReadOnlyList<WorkflowStep> steps)
    {
        var byId = steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var order = steps.Select((s, i) => (s.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var color = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the stack, 2 done
        var stack = new List<string>();
        List<string>? Visit(string id)
        {
            color[id] = 1;
            stack.Add(id);
            foreach (var need in byId[id].Needs ?? [])
            {
                var c = color.GetValueOrDefault(need);
                if (c == 1)
                {
                    var from = stack.IndexOf(need);
                    // Needs point upstream; report the cycle in run order (upstream first).
                    var cycle = stack.Skip(from).Reverse().ToList();
                    // Start at the step defined first, so the same cycle is always named the same way.
                    var start = cycle.IndexOf(cycle.MinBy(id => order[id])!);
                    cycle = [.. cycle.Skip(start), .. cycle.Take(start)];
                    cycle.Add(cycle[0]);
                    return cycle;
                }
                if (c == 0 && Visit(need) is { } found) return found;
            }
            stack.RemoveAt(stack.Count - 1);
            color[id] = 2;
            return null;
        }
        foreach (var step in steps)
        {
            if (color.GetValueOrDefault(step.Id) == 0 && Visit(step.Id) is { } cycle) return cycle;
        }
        return null;
    }

    /// <summary>Every step upstream of <paramref name="id"/> (transitively).</summary>
    public IReadOnlySet<string> Ancestors(string id)
    {
        if (_ancestors.TryGetValue(id, out var known)) return known;
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var need in _byId[id].Needs ?? [])
        {
            set.Add(need);
            set.UnionWith(Ancestors(need));
        }
        _ancestors[id] = set;
        return set;
    }
}
