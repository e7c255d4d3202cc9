using System.Buffers;

namespace Nexus.Server.Live;

/// <summary>
/// The upgraded connection's stream, with a cork: while corked, writes (the WebSocket's frames) gather in one pooled
/// buffer, and <see cref="UncorkAsync"/> hands them to the connection in one write (Kestrel flushes each write: one
/// wake-up of its socket sender and one socket write for the lot). Uncorked, writes go straight through, so the
/// WebSocket's own control frames (pong, keep-alive ping, close) are never held. One gate orders every write to the
/// inner stream. Nothing is held between batches: an idle connection keeps no buffer.
/// </summary>
internal sealed class CorkedStream(Stream inner) : Stream
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _buffer;
    private int _length;
    private bool _corked;

    /// <summary>Bytes gathered since <see cref="CorkAsync"/>.</summary>
    public int Corked => _length;

    /// <summary>Gathers the next writes until <see cref="UncorkAsync"/> (waits, without blocking a thread, for a
    /// control frame being written to the connection).</summary>
    public async ValueTask CorkAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _corked = true;
        _gate.Release();
    }

    /// <summary>Writes what was gathered in one write and lets later writes through.</summary>
    public async ValueTask UncorkAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _corked = false;
            if (_length > 0) await inner.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _length = 0;
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_corked) Append(buffer.Span);
            else await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _gate.Wait();
        try
        {
            if (_corked) Append(buffer);
            else inner.Write(buffer);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_buffer is null || _buffer.Length - _length < data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(4096, Math.Max(_length + data.Length, (_buffer?.Length ?? 0) * 2)));
            if (_buffer is { } old)
            {
                old.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(old);
            }
            _buffer = bigger;
        }
        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
