namespace Nexus.Server.GraphQl;

/// <summary>The GraphQL name of a REST contract type: <c>TaskResponse</c> is <c>Task</c>, <c>StateVersionResponse</c>
/// is <c>StateVersion</c>; a name that would clash with a GraphQL built-in keeps its suffix.</summary>
internal static class ContractNames
{
    public static string Of(Type type)
    {
        var name = type.Name;
        if (name.EndsWith("Response", StringComparison.Ordinal) && name.Length > "Response".Length) name = name[..^"Response".Length];
        return name is "String" or "Int" or "Float" or "Boolean" or "ID" ? type.Name : name;
    }
}
