package org.dqwhisper.audio;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_CHANNEL_ORDER_UNSPEC;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes any audio or video file FFmpeg can read (FLAC, MP3, OGG/Opus, M4A/AAC, MP4, MKV, WebM, WAV, ...) to
 * 16 kHz mono through the FFmpeg libraries of the {@code org.bytedeco:ffmpeg} preset, the way whisper's
 * {@code load_audio} does with the {@code ffmpeg} command: the best audio stream is decoded, and one libswresample
 * context with its default options downmixes, resamples and converts to signed 16-bit (as
 * {@code ffmpeg -ac 1 -ar 16000 -f s16le}); samples are returned as {@code s16 / 32768f}.
 */
public final class FfmpegAudioDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FfmpegAudioDecoder.class);
    /** AVERROR(EAGAIN) on Linux (EAGAIN = 11). */
    private static final int AVERROR_EAGAIN = -11;
    private static final int TARGET_RATE = Resampler.WHISPER_RATE;

    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    private FfmpegAudioDecoder() {
    }

    /** Loads the FFmpeg natives once; throws {@link FfmpegUnavailableException} when they cannot be loaded. */
    public static synchronized void ensureLoaded() throws FfmpegUnavailableException {
        if (loaded) {
            return;
        }
        if (loadFailure == null) {
            try {
                Loader.load(avformat.class);
                Loader.load(swresample.class);
                av_log_set_level(AV_LOG_ERROR);
                loaded = true;
                return;
            } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
                loadFailure = t;
            }
        }
        throw new FfmpegUnavailableException("the FFmpeg natives (org.bytedeco:ffmpeg with the "
            + Loader.getPlatform() + " classifier) could not be loaded: " + loadFailure, loadFailure);
    }

    /** True when the FFmpeg natives load on this machine. */
    public static boolean isAvailable() {
        try {
            ensureLoaded();
            return true;
        } catch (FfmpegUnavailableException e) {
            return false;
        }
    }

    /** Decodes {@code file} to 16 kHz mono float samples. */
    public static float[] decode(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "not a readable regular file");
        }
        ensureLoaded();
        AVFormatContext format = new AVFormatContext(null);
        AVCodecContext codec = null;
        AVPacket packet = null;
        AVFrame frame = null;
        Swr swr = new Swr(file);
        try {
            check(file, avformat_open_input(format, file.toAbsolutePath().toString(), null, null),
                "cannot open as a media file");
            check(file, avformat_find_stream_info(format, (PointerPointer<?>) null), "cannot read stream info");
            int streamIndex = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
            if (streamIndex < 0) {
                throw new IOException(file + ": no audio stream (" + errorText(streamIndex) + ")");
            }
            AVStream stream = format.streams(streamIndex);
            AVCodec decoder = avcodec_find_decoder(stream.codecpar().codec_id());
            if (decoder == null || decoder.isNull()) {
                throw new IOException(file + ": no FFmpeg decoder for codec id " + stream.codecpar().codec_id());
            }
            codec = avcodec_alloc_context3(decoder);
            check(file, avcodec_parameters_to_context(codec, stream.codecpar()), "cannot set decoder parameters");
            codec.pkt_timebase(stream.time_base());
            check(file, avcodec_open2(codec, decoder, (AVDictionary) null), "cannot open the "
                + decoder.name().getString() + " decoder");

            packet = av_packet_alloc();
            frame = av_frame_alloc();
            long expected = format.duration() > 0 ? format.duration() * TARGET_RATE / 1_000_000L : 0;
            FloatSink out = new FloatSink((int) Math.min(Math.max(expected + 4096, 1 << 16), 1 << 28));
            int badPackets = 0;
            while (true) {
                int r = av_read_frame(format, packet);
                if (r == AVERROR_EOF) {
                    break;
                }
                check(file, r, "cannot read a packet");
                if (packet.stream_index() == streamIndex) {
                    int s = avcodec_send_packet(codec, packet);
                    if (s < 0 && s != AVERROR_EAGAIN) {
                        badPackets++; // like the ffmpeg command: report and go on with the next packet
                        LOG.warn("{}: skipping an undecodable packet at pts {}: {}", file, packet.pts(), errorText(s));
                    }
                    receiveFrames(file, codec, frame, swr, out);
                }
                av_packet_unref(packet);
            }
            avcodec_send_packet(codec, null); // drain the decoder
            receiveFrames(file, codec, frame, swr, out);
            swr.flush(out);
            if (out.size == 0 && badPackets > 0) {
                throw new IOException(file + ": no audio could be decoded (" + badPackets + " bad packets)");
            }
            return out.toArray();
        } finally {
            swr.close();
            if (frame != null) {
                av_frame_free(frame);
            }
            if (packet != null) {
                av_packet_free(packet);
            }
            if (codec != null) {
                avcodec_free_context(codec);
            }
            avformat_close_input(format);
        }
    }

    private static void receiveFrames(Path file, AVCodecContext codec, AVFrame frame, Swr swr, FloatSink out)
            throws IOException {
        while (true) {
            int r = avcodec_receive_frame(codec, frame);
            if (r == AVERROR_EAGAIN || r == AVERROR_EOF) {
                return;
            }
            check(file, r, "decoding failed");
            try {
                swr.convert(frame, out);
            } finally {
                av_frame_unref(frame);
            }
        }
    }

    /** One libswresample context, re-created (after a flush) when the decoded format changes mid-stream. */
    private static final class Swr implements AutoCloseable {
        private final Path file;
        private SwrContext ctx;
        private int inFormat = -1;
        private int inRate = -1;
        private AVChannelLayout inLayout;
        private ShortPointer buffer = new ShortPointer(0L);
        private final PointerPointer<ShortPointer> outPlanes = new PointerPointer<>(1L);

        Swr(Path file) {
            this.file = file;
        }

        void convert(AVFrame frame, FloatSink out) throws IOException {
            if (ctx == null || frame.format() != inFormat || frame.sample_rate() != inRate
                    || !sameLayout(frame.ch_layout())) {
                if (ctx != null) {
                    LOG.debug("{}: audio format changed mid-stream; new resampler", file);
                    flush(out);
                    releaseContext();
                }
                open(frame);
            }
            run(frame.extended_data(), frame.nb_samples(), out);
        }

        private void open(AVFrame frame) throws IOException {
            inFormat = frame.format();
            inRate = frame.sample_rate();
            inLayout = new AVChannelLayout();
            av_channel_layout_copy(inLayout, frame.ch_layout());
            AVChannelLayout source = inLayout;
            AVChannelLayout defaulted = null;
            if (inLayout.order() == AV_CHANNEL_ORDER_UNSPEC) { // e.g. WAV without a channel mask
                defaulted = new AVChannelLayout();
                av_channel_layout_default(defaulted, inLayout.nb_channels());
                source = defaulted;
            }
            AVChannelLayout mono = new AVChannelLayout();
            av_channel_layout_default(mono, 1);
            ctx = new SwrContext(null);
            try {
                check(file, swr_alloc_set_opts2(ctx, mono, AV_SAMPLE_FMT_S16, TARGET_RATE, source, inFormat, inRate,
                    0, null), "cannot configure libswresample");
                check(file, swr_init(ctx), "cannot initialise libswresample for " + inRate + " Hz, "
                    + inLayout.nb_channels() + " channels");
            } finally {
                av_channel_layout_uninit(mono);
                mono.close();
                if (defaulted != null) {
                    av_channel_layout_uninit(defaulted);
                    defaulted.close();
                }
            }
        }

        private boolean sameLayout(AVChannelLayout layout) {
            return inLayout != null && layout.nb_channels() == inLayout.nb_channels()
                && layout.order() == inLayout.order();
        }

        void flush(FloatSink out) throws IOException {
            if (ctx != null) {
                run(null, 0, out);
            }
        }

        /** Converts {@code samples} input samples (null: drain) and appends everything produced. */
        private void run(PointerPointer<?> in, int samples, FloatSink out) throws IOException {
            while (true) {
                int capacity = swr_get_out_samples(ctx, samples) + 32;
                if (buffer.capacity() < capacity) {
                    buffer.deallocate();
                    buffer = new ShortPointer((long) capacity);
                }
                outPlanes.put(0, buffer);
                int n = swr_convert(ctx, outPlanes, capacity, in, samples);
                check(file, n, "libswresample conversion failed");
                out.appendS16(buffer, n);
                if (in != null || n == 0) {
                    return; // an input call is done in one go (the capacity covers it); a drain runs until empty
                }
            }
        }

        private void releaseContext() {
            if (ctx != null) {
                swr_free(ctx);
                ctx = null;
            }
            if (inLayout != null) {
                av_channel_layout_uninit(inLayout);
                inLayout.close();
                inLayout = null;
            }
        }

        @Override
        public void close() {
            releaseContext();
            if (!buffer.isNull()) {
                buffer.deallocate();
                buffer = new ShortPointer(0L);
            }
            outPlanes.close();
        }
    }

    /** A growable float array fed with s16 samples. */
    private static final class FloatSink {
        private float[] data;
        private int size;
        private short[] chunk = new short[0];

        FloatSink(int capacity) {
            data = new float[capacity];
        }

        void appendS16(ShortPointer buf, int n) {
            if (n <= 0) {
                return;
            }
            if (chunk.length < n) {
                chunk = new short[n];
            }
            buf.position(0).get(chunk, 0, n);
            if (size + n > data.length) {
                data = Arrays.copyOf(data, Math.max(size + n, (int) Math.min(Integer.MAX_VALUE - 16,
                    data.length * 2L)));
            }
            for (int i = 0; i < n; i++) {
                data[size + i] = chunk[i] / 32768f;
            }
            size += n;
        }

        float[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    private static void check(Path file, int code, String what) throws IOException {
        if (code < 0) {
            throw new IOException(file + ": " + what + ": " + errorText(code) + " (FFmpeg error " + code + ")");
        }
    }

    private static String errorText(int code) {
        byte[] buf = new byte[256];
        if (av_strerror(code, buf, buf.length) < 0) {
            return "unknown error";
        }
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, java.nio.charset.StandardCharsets.UTF_8);
    }
}
