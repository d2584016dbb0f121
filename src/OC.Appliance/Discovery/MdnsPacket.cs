using Makaretu.Dns;

namespace OC.Appliance.Discovery;

/// <summary>
/// Reading a datagram into a Makaretu.Dns <see cref="Message"/> without trusting it: the counts in
/// the header are checked against the length, then the sections are walked (<see cref="Layout"/>),
/// so that Makaretu.Dns is only given a datagram whose names and record lengths fit in it, and
/// whatever the parser still throws is caught.
/// </summary>
internal static class MdnsPacket
{
    /// <summary>RFC 6762 §17: at most 9000 bytes, including the IP and UDP headers.</summary>
    public const int MaxBytes = 9000;

    private const int HeaderBytes = 12;
    private const int MinQuestionBytes = 5;
    private const int MinRecordBytes = 11;
    private const int QuestionFixedBytes = 4;  // type, class
    private const int RecordFixedBytes = 10;   // type, class, TTL, RDLENGTH
    private const int OptType = 41;
    private const int TkeyType = 249;
    private const int TsigType = 250;

    /// <summary>
    /// Parses <paramref name="buffer"/>[0..<paramref name="length"/>). A query whose records fail
    /// to parse (say a known answer with UTF-8 TXT, which the parser refuses, or records cut
    /// short) still yields its questions, with the known answers left out: the question is what
    /// must be answered.
    /// </summary>
    public static bool TryRead(byte[] buffer, int length, out Message message)
    {
        message = new Message();
        if (length < HeaderBytes || length > buffer.Length) return false;
        var packet = buffer.AsSpan(0, length);
        int questions = (packet[4] << 8) | packet[5];
        int records = ((packet[6] << 8) | packet[7]) + ((packet[8] << 8) | packet[9]) + ((packet[10] << 8) | packet[11]);
        // Counts the datagram cannot hold are a lie: each question takes at least 5 bytes, each record 11.
        if (HeaderBytes + (questions * MinQuestionBytes) + (records * MinRecordBytes) > length) return false;
        bool query = (packet[2] & 0x80) == 0;
        var layout = Layout(packet, questions, records, out int questionsEnd);
        if (layout == Fit.None || (layout == Fit.QuestionsOnly && !query)) return false;
        if (layout == Fit.QuestionsOnly) return TryReadQuestions(packet[..questionsEnd], questions, out message);
        try
        {
            message.Read(buffer, 0, length);
            return true;
        }
#pragma warning disable CA1031 // Hostile input: every parser failure means "drop this datagram".
        catch (Exception)
#pragma warning restore CA1031
        {
            return query && questions > 0 && TryReadQuestions(packet[..questionsEnd], questions, out message);
        }
    }

    /// <summary>The header and the questions alone, the record counts set to zero.</summary>
    private static bool TryReadQuestions(ReadOnlySpan<byte> headerAndQuestions, int questions, out Message message)
    {
        message = new Message();
        if (questions == 0) return false;
        byte[] copy = headerAndQuestions.ToArray();
        copy.AsSpan(6, 6).Clear();
        try
        {
            message.Read(copy, 0, copy.Length);
            return message.IsQuery && message.Questions.Count == questions;
        }
#pragma warning disable CA1031 // As above.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private enum Fit { None, QuestionsOnly, All }

    /// <summary>
    /// Walks the sections without building anything: does every question and record fit in the
    /// datagram? Makaretu.Dns reserves a record's RDLENGTH bytes before it reads them, so a 35-byte
    /// datagram announcing 64,319 bytes of data cost 64 KB (found by fuzzing, docs/fuzzing.md).
    /// </summary>
    private static Fit Layout(ReadOnlySpan<byte> packet, int questions, int records, out int questionsEnd)
    {
        int at = HeaderBytes;
        questionsEnd = at;
        for (int i = 0; i < questions; i++)
        {
            if (!SkipName(packet, ref at) || packet.Length - at < QuestionFixedBytes) return Fit.None;
            at += QuestionFixedBytes;
        }
        questionsEnd = at;
        for (int i = 0; i < records; i++)
        {
            if (!SkipName(packet, ref at) || packet.Length - at < RecordFixedBytes) return Fit.QuestionsOnly;
            int type = (packet[at] << 8) | packet[at + 1];
            int dataLength = (packet[at + 8] << 8) | packet[at + 9];
            at += RecordFixedBytes;
            if (dataLength > packet.Length - at || !InnerLengthsFit(type, packet.Slice(at, dataLength))) return Fit.QuestionsOnly;
            at += dataLength;
        }
        return Fit.All;
    }

    /// <summary>
    /// Makaretu.Dns also reserves the lengths announced inside some records' data before reading
    /// them: an OPT record's options must fit in it (RFC 6891 §6.1.2: code, length, data; a 16-byte
    /// OPT announcing a 65,535-byte option cost 64 KB, found by fuzzing), and TKEY and TSIG, which
    /// mDNS never uses (RFC 6762 has no place for them), are not handed over at all.
    /// </summary>
    private static bool InnerLengthsFit(int type, ReadOnlySpan<byte> data)
    {
        if (type is TkeyType or TsigType) return false;
        if (type != OptType) return true;
        while (!data.IsEmpty)
        {
            if (data.Length < 4) return false;
            int length = (data[2] << 8) | data[3];
            if (length > data.Length - 4) return false;
            data = data[(4 + length)..];
        }
        return true;
    }

    /// <summary>A name in place (RFC 1035 §4.1.4): labels up to a zero byte, or up to a two-byte compression pointer.</summary>
    private static bool SkipName(ReadOnlySpan<byte> packet, ref int at)
    {
        while (at < packet.Length)
        {
            int label = packet[at];
            if (label == 0)
            {
                at++;
                return true;
            }
            if ((label & 0xC0) == 0xC0)
            {
                if (packet.Length - at < 2) return false;
                at += 2;
                return true;
            }
            if ((label & 0xC0) != 0) return false; // 0x40 and 0x80: label types no one uses
            at += 1 + label;
        }
        return false;
    }
}
