using ActorStream.Storage.Buffers;

namespace ActorStream.Storage.Compression;

/// <summary>A write-only <see cref="Stream"/> appending to a <see cref="PooledBufferWriter"/>.</summary>
internal sealed class BufferWriterStream(PooledBufferWriter writer) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => writer.WrittenCount;

    public override long Position
    {
        get => writer.WrittenCount;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => writer.Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer) => writer.Write(buffer);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
