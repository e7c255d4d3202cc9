namespace Nexus.Client;

/// <summary>The answer of a service instance to <see cref="ServicesClient.InvokeAsync"/>, whatever its status (a
/// refusal by Nexus itself — no healthy instance, timeout, forwarding failure, rights — throws
/// <see cref="NexusApiException"/> instead).</summary>
/// <param name="Status">The instance's HTTP status.</param>
/// <param name="Instance">The id of the instance that answered.</param>
/// <param name="ContentType">Its content type, or null.</param>
/// <param name="Headers">Its headers (content headers included), values joined with <c>, </c>.</param>
/// <param name="Body">Its body.</param>
public sealed record ServiceInvokeResponse(int Status, string Instance, string? ContentType, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Body)
{
    /// <summary>True for a 2xx status.</summary>
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>The body as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Body.Span);
}

