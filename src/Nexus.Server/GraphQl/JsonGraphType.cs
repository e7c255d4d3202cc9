using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL.Types;
using GraphQLParser.AST;

namespace Nexus.Server.GraphQl;

/// <summary>The <c>JSON</c> scalar: any JSON value (a task's args, a state value, a document, an event payload, a
/// filter, JSON Patch operations). Inputs become a <see cref="JsonElement"/>, from a variable or an inline literal.</summary>
internal sealed class JsonGraphType : ScalarGraphType
{
    public JsonGraphType()
    {
        Name = "JSON";
        Description = "Any JSON value.";
    }

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.Undefined } => null,
        _ => value,
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        JsonElement e => e.Clone(),
        _ => JsonSerializer.SerializeToElement(value),
    };

    public override bool CanParseLiteral(GraphQLValue value) => value is not GraphQLVariable;

    public override object? ParseLiteral(GraphQLValue value) => value is GraphQLNullValue ? null : JsonSerializer.SerializeToElement(Node(value));

    public override bool CanParseValue(object? value) => true;

    public override bool IsValidDefault(object value) => true;

    public override GraphQLValue ToAST(object? value) => value is null ? new GraphQLNullValue() : new GraphQLStringValue(JsonSerializer.Serialize(value));

    private static JsonNode? Node(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLBooleanValue b => JsonValue.Create(b.BoolValue),
        GraphQLIntValue i => JsonNode.Parse(i.Value.ToString()),
        GraphQLFloatValue f => JsonNode.Parse(f.Value.ToString()),
        GraphQLStringValue s => JsonValue.Create(s.Value.ToString()),
        GraphQLEnumValue e => JsonValue.Create(e.Name.StringValue),
        GraphQLListValue l => new JsonArray([.. (l.Values ?? []).Select(Node)]),
        GraphQLObjectValue o => new JsonObject((o.Fields ?? []).Select(f => KeyValuePair.Create(f.Name.StringValue, Node(f.Value)))),
        _ => throw new InvalidOperationException($"A {value.Kind} cannot be JSON."),
    };
}
