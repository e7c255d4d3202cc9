using System.Net;
using System.Text;
using System.Text.Json;

namespace Nexus.Server.Tests.GraphQl;

/// <summary>Sends GraphQL requests to /graphql and reads the answers.</summary>
public static class GraphQlHttp
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GraphQlAsync(this HttpClient client, string query, object? variables = null)
    {
        var body = JsonSerializer.Serialize(new { query, variables });
        using var response = await client.PostAsync("/graphql", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>The data of an answer that must have no errors.</summary>
    public static async Task<JsonElement> DataAsync(this HttpClient client, string query, object? variables = null)
    {
        var (status, body) = await client.GraphQlAsync(query, variables);
        Assert.True(status == HttpStatusCode.OK && !body.TryGetProperty("errors", out _), $"Expected data without errors, got {(int)status}: {body}");
        return body.GetProperty("data");
    }

    /// <summary>The first error of an answer that must have one, after checking its code.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpClient client, string query, string code, object? variables = null)
    {
        var (_, body) = await client.GraphQlAsync(query, variables);
        return FirstError(body, code);
    }

    public static JsonElement FirstError(JsonElement body, string code)
    {
        Assert.True(body.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0, $"Expected an error {code}, got {body}");
        var error = errors[0];
        Assert.True(error.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("code", out var c) && c.GetString() == code, $"Expected the error code {code}, got {body}");
        return error;
    }
}
